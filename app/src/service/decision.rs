//! The customer's decision on a proposed line (增项): approved, or declined (kept as 建议未做 for
//! a later reminder), proved by a logged phone approval — who answered, when, what they agreed
//! to (`domain::service::plan::decide_line_plan`; the domain refuses a decision without proof
//! and a second decision on the same line). Used on the dispatch board for added work; any
//! screen that shows a proposed line can mount [`LineDecisionForm`].

use domain::service::plan::decide_line_plan;
use domain::service::repair_order::Proof;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::now_stored;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{DateField, DateKind, TextField};

/// The phone approval's fields and the two answers for line `line_id`; `what` is the line as
/// the customer heard it (the form's default for 确认内容).
#[component]
pub fn LineDecisionForm(line_id: Uuid, #[prop(into)] what: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let who = RwSignal::new(String::new());
    let at = RwSignal::new(now_stored().chars().take(16).collect::<String>());
    let agreed = RwSignal::new(what);
    let decide = move |approved: bool| {
        let proof = Proof::Phone {
            who: who.get_untracked().trim().to_string(),
            at: at.get_untracked().trim().to_string(),
            what: agreed.get_untracked().trim().to_string(),
        };
        if let Proof::Phone { who, at, what } = &proof
            && (who.is_empty() || at.is_empty() || what.is_empty())
        {
            edit.fail(t_string!(i18n, svc_shop.decision.need_phone));
            return;
        }
        let plan = decide_line_plan(line_id, approved, &proof);
        edit.run(async move { sync.execute(&plan).await }, |_| {});
    };
    let id = |f: &str| format!("decision-{f}-{line_id}");
    view! {
        <fieldset class="decision">
            <legend>{t!(i18n, svc_shop.decision.by_phone)}</legend>
            <TextField id=id("who") value=who autocomplete="off">{t!(i18n, svc_shop.decision.phone_who)}</TextField>
            <DateField id=id("at") value=at kind=DateKind::DateTime>{t!(i18n, svc_shop.decision.phone_at)}</DateField>
            <TextField id=id("what") value=agreed autocomplete="off">{t!(i18n, svc_shop.decision.phone_what)}</TextField>
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-primary" disabled=move || edit.busy.get()
                    on:click=move |_| decide(true)>
                    {t!(i18n, svc_shop.decision.approve)}
                </button>
                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get()
                    on:click=move |_| decide(false)>
                    {t!(i18n, svc_shop.decision.decline)}
                </button>
            </div>
        </fieldset>
    }
}
