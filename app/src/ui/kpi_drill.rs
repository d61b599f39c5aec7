//! A KPI figure's drill-down (the sales KPI page, the GM's 经营指标): the records in its numerator
//! and its denominator, by name, each linking to its record — so every figure opens exactly what
//! it counted.

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::*;
use crate::kinds::{counted, record_href, short_type_label};
use crate::ui::kinds::Look;
use crate::ui::labels::who;
use crate::ui::list::ItemList;

/// `<div class="kpi-drill" role="region">`: the title, the formula (or why there is no
/// figure), then the numerator's and the denominator's records. `people`: the denominator lists
/// people (user ids), not records (sales efficiency's consultants).
#[component]
pub fn KpiDrill(
    title: String,
    note: String,
    numerator: Vec<Uuid>,
    denominator: Vec<Uuid>,
    #[prop(optional)] people: bool,
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (n, d) = (numerator.len(), denominator.len());
    view! {
        <div class="kpi-drill" role="region" aria-label=title.clone()>
            <div class="panel-head">
                <h3>{title.clone()}</h3>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    {t!(i18n, kpi.close)}
                </button>
            </div>
            <p class="muted">{note}</p>
            <div class="kpi-drill-lists">
                <div>
                    <h4>{t!(i18n, kpi.numerator)} " (" {n} ")"</h4>
                    <RecordList ids=numerator consultants=false />
                </div>
                <div>
                    <h4>{t!(i18n, kpi.denominator)} " (" {d} ")"</h4>
                    <RecordList ids=denominator consultants=people />
                </div>
            </div>
        </div>
    }
}

/// What a person calls a counted record, and where it is shown: its kind, its line, its link.
fn describe(look: &Look, id: Uuid) -> (String, String, Option<String>) {
    match look.sync.record(id) {
        Some(r) => (
            short_type_label(look.i18n, &r.record_type),
            counted(look, &r),
            record_href(look, &r),
        ),
        None => (String::new(), id.to_string(), None),
    }
}

/// The counted records (or, with `consultants`, people) as an ordered list.
#[component]
pub fn RecordList(ids: Vec<Uuid>, consultants: bool) -> impl IntoView {
    let i18n = use_i18n();
    let look = Look::new();
    view! {
        <ItemList
            items=ids
            class="kpi-records"
            ordered=true
            empty=|i| t_string!(i, kpi.none)
            item=move |id: Uuid| {
                if consultants {
                    return view! {
                        <li>
                            <span class="badge badge-muted">{t!(i18n, kpi.consultant)}</span>
                            " "
                            {who(&id.to_string())}
                        </li>
                    }
                    .into_any();
                }
                let (kind, label, href) = describe(&look, id);
                view! {
                    <li>
                        <span class="badge badge-muted">{kind}</span>
                        " "
                        {match href {
                            Some(h) => view! { <A href=h>{label}</A> }.into_any(),
                            None => view! { <span>{label}</span> }.into_any(),
                        }}
                    </li>
                }
                .into_any()
            }
        />
    }
}
