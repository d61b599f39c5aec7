//! `GET /api/sales/duplicates`: A-cards of the store that share a normalised phone (撞单).
//!
//! Storage keeps the index `(store, normalised phone) → A-card ids` up to date in every push
//! (from the phone each card shows after the merge); the grouping and the owner (earliest first
//! contact, then smallest id) are `domain::sales::duplicate`.

use std::collections::HashMap;

use axum::extract::State;
use domain::Area;
use domain::records::field;
use domain::sales::duplicate::{contact_of, find_duplicates};
use domain::time::StoreClock;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::Json,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(duplicates))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DuplicateCard {
    /// The A-card's record id.
    pub id: Uuid,
    /// The customer's name on the card (absent when blank).
    pub name: Option<String>,
    /// The card's `consultant_id` field as written (absent when blank).
    pub consultant_id: Option<String>,
    /// The device the card was built on (the device of its earliest write still shown).
    pub device_id: Uuid,
    /// The card's `first_contact_at` field as written (store-local `YYYY-MM-DDTHH:MM:SS`, or
    /// RFC 3339); when absent or unreadable the owner is decided by the card's first edit.
    pub first_contact_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DuplicateGroupView {
    /// The canonical phone, e.g. `13900001111`.
    pub phone: String,
    /// The owning card: earliest first contact, then smallest id.
    pub owner: Uuid,
    /// Owner first, then by first contact and id.
    pub cards: Vec<DuplicateCard>,
    /// More than one consultant is involved.
    pub crosses_consultants: bool,
    /// The cards were built on more than one device.
    pub crosses_devices: bool,
}

/// The store's duplicate prospects (撞单): A-cards (not in the bin) whose phones normalise to
/// the same number, with the owning card. Sales managers and general managers only.
#[utoipa::path(
    get,
    path = "/api/sales/duplicates",
    tag = "sales",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DuplicateGroupView>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a sales manager or general manager", body = ErrorBody),
    )
)]
async fn duplicates(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Vec<DuplicateGroupView>>, Error> {
    auth.require_manages(Area::Sales)?;
    let groups = state
        .store()
        .phone_groups(auth.user.store_id.clone())
        .await?;
    let mut contacts = Vec::new();
    let mut views: HashMap<Uuid, DuplicateCard> = HashMap::new();
    for card in groups.into_iter().flat_map(|g| g.cards) {
        // The same reading of a card as the devices' (bin, phone, first contact, device).
        let Some(contact) = contact_of(&card, StoreClock::default()) else {
            continue;
        };
        views.insert(
            card.id,
            DuplicateCard {
                id: card.id,
                name: field::string(&card, "name"),
                consultant_id: field::string(&card, "consultant_id"),
                device_id: contact.device,
                first_contact_at: field::string(&card, "first_contact_at"),
            },
        );
        contacts.push(contact);
    }
    let out = find_duplicates(&contacts)
        .into_iter()
        .map(|g| DuplicateGroupView {
            phone: g.phone,
            owner: g.owner,
            cards: g
                .cards
                .iter()
                .filter_map(|c| views.get(&c.id).cloned())
                .collect(),
            crosses_consultants: g.crosses_consultants,
            crosses_devices: g.crosses_devices,
        })
        .collect();
    Ok(Json(out))
}
