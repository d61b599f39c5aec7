//! The shell's bars (the header with its search, sync status and language switch, and the main
//! navigation) and each area's frame (its sub-navigation around the page: `SalesLayout`, …) are
//! drawn from the sync engine's wasm-split module (`sync`): a logged-in device
//! fetches that module at start anyway (`sync::engine`), and a logged-out one (`/login`,
//! `/setup`) never draws the bars, so they are not in the main wasm that every first visit
//! downloads before anything shows (issue 13: the initial download as sent ≤ 250 KB). The
//! directory's fetch (`crate::directory`) and the search go with them.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::components::header::Header;
use crate::components::nav::Nav;
use crate::{care, manage, parts, sales, service};

/// The header and, with `nav`, the main navigation, once the `sync` module has loaded (nothing
/// meanwhile; a module that cannot be fetched is logged and the bars stay away, the page still
/// shows).
pub fn bars(nav: bool) -> impl IntoView {
    #[::leptos::wasm_split::wasm_split(sync, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn bars_view(nav: bool) -> Result<AnyView, SplitLoaderError> {
        Ok(view! {
            <Header />
            {nav.then(|| view! { <Nav /> })}
        }
        .into_any())
    }
    Suspend::new(async move {
        bars_view(nav).await.unwrap_or_else(|e| {
            leptos::logging::error!("forecourt: cannot load the header: {e}");
            ().into_any()
        })
    })
}

/// An area's frame ([`frame`]): its sub-navigation and, inside it, the page (`<Outlet />`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    Sales,
    Service,
    Parts,
    Care,
    Manage,
}

/// The frame of `frame`'s pages once the `sync` module has loaded (the page inside it is then
/// drawn, and its own group fetched, as before; nothing meanwhile).
pub fn frame(frame: Frame) -> impl IntoView {
    #[::leptos::wasm_split::wasm_split(sync, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn frame_view(frame: Frame) -> Result<AnyView, SplitLoaderError> {
        Ok(match frame {
            Frame::Sales => view! { <sales::SalesLayout /> }.into_any(),
            Frame::Service => view! { <service::ServiceLayout /> }.into_any(),
            Frame::Parts => view! { <parts::PartsLayout /> }.into_any(),
            Frame::Care => view! { <care::CareLayout /> }.into_any(),
            Frame::Manage => view! { <manage::ManageLayout /> }.into_any(),
        })
    }
    Suspend::new(async move {
        frame_view(frame).await.unwrap_or_else(|e| {
            leptos::logging::error!("forecourt: cannot load the area's frame: {e}");
            ().into_any()
        })
    })
}
