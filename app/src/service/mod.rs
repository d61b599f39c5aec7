//! 售后: the seven-step service process (appointment to follow-up call). One file per workflow:
//! the workshop's [`dispatch`] (派工), [`my_jobs`] (the technician's tablet), [`qc`] (质检), with
//! [`floor`] (how they read ROs and lines), [`decision`] (the customer's decision on a proposed
//! line), [`status_link`] (the customer's progress link and QR code) and [`shop_nav`].

pub mod decision;
pub mod dispatch;
pub mod floor;
pub mod kinds;
pub mod my_jobs;
pub mod qc;
pub mod shop_nav;
pub mod status_link;

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::panel::coming_soon;

/// `/service`: the area's start page: the workshop's pages, and what is still to come.
#[component]
pub fn ServicePage() -> impl IntoView {
    view! {
        <shop_nav::ShopNav />
        {coming_soon("service-title", |i| {
            (t_string!(i, service.title), t_string!(i, service.coming))
        })}
    }
}
