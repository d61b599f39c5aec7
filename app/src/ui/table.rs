//! Tables whose columns are spelled once: each [`Column`] has its heading, its cell and the
//! value it exports, so the table on screen and its 导出Excel workbook always agree.

use std::sync::Arc;

use leptos::prelude::*;
use serde_json::Value;

use super::export::ExportTable;
use super::labels::Words;
use super::list::none_note;
use crate::i18n::*;

type Heading = Arc<dyn Fn(I18nContext<Locale>) -> String + Send + Sync>;

/// A heading's words: `|i| t_string!(i, some.key)`, or any text made in the user's language.
fn to_heading<H: Into<String>>(
    words: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
) -> Heading {
    Arc::new(move |i| words(i).into())
}
type Cell<R> = Arc<dyn Fn(&R) -> AnyView + Send + Sync>;
type Export<R> = Arc<dyn Fn(&R) -> Value + Send + Sync>;

/// One column: its heading, how a row's cell is drawn, and its value in the export (none for
/// columns of buttons; no cell for columns only the export has).
pub struct Column<R> {
    heading: Heading,
    cell: Option<Cell<R>>,
    export: Option<Export<R>>,
    export_heading: Option<Heading>,
    class: Option<&'static str>,
    row_header: bool,
    hidden_heading: bool,
    data_label: bool,
}

impl<R> Clone for Column<R> {
    fn clone(&self) -> Self {
        Column {
            heading: self.heading.clone(),
            cell: self.cell.clone(),
            export: self.export.clone(),
            export_heading: self.export_heading.clone(),
            class: self.class,
            row_header: self.row_header,
            hidden_heading: self.hidden_heading,
            data_label: self.data_label,
        }
    }
}

impl<R: 'static> Column<R> {
    fn build(heading: Heading, cell: Option<Cell<R>>, export: Option<Export<R>>) -> Self {
        Column {
            heading,
            cell,
            export,
            export_heading: None,
            class: None,
            row_header: false,
            hidden_heading: false,
            data_label: false,
        }
    }

    /// A column of text: shown as is, exported as a string.
    pub fn text<H: Into<String>>(
        heading: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
        text: impl Fn(&R) -> String + Send + Sync + 'static,
    ) -> Self {
        let text = Arc::new(text);
        let shown = text.clone();
        Self::build(
            to_heading(heading),
            Some(Arc::new(move |r| shown(r).into_any())),
            Some(Arc::new(move |r| Value::String(text(r)))),
        )
    }

    /// A column drawn by `cell` and exported as `export`.
    pub fn new<H: Into<String>>(
        heading: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
        cell: impl Fn(&R) -> AnyView + Send + Sync + 'static,
        export: impl Fn(&R) -> Value + Send + Sync + 'static,
    ) -> Self {
        Self::build(
            to_heading(heading),
            Some(Arc::new(cell)),
            Some(Arc::new(export)),
        )
    }

    /// A column on screen only (buttons, links to act on a row).
    pub fn view_only<H: Into<String>>(
        heading: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
        cell: impl Fn(&R) -> AnyView + Send + Sync + 'static,
    ) -> Self {
        Self::build(to_heading(heading), Some(Arc::new(cell)), None)
    }

    /// A column in the export only (a detail the screen shows inside another cell).
    pub fn export_only<H: Into<String>>(
        heading: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
        export: impl Fn(&R) -> Value + Send + Sync + 'static,
    ) -> Self {
        Self::build(to_heading(heading), None, Some(Arc::new(export)))
    }

    /// The heading in the export, where it says more than on screen.
    pub fn export_heading<H: Into<String>>(
        mut self,
        words: impl Fn(I18nContext<Locale>) -> H + Send + Sync + 'static,
    ) -> Self {
        self.export_heading = Some(to_heading(words));
        self
    }

    /// The cells' class (e.g. `actions`).
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = Some(class);
        self
    }

    /// The cells are the rows' headers (`<th scope="row">`).
    pub fn row_header(mut self) -> Self {
        self.row_header = true;
        self
    }

    /// The heading is for screen readers only.
    pub fn hidden_heading(mut self) -> Self {
        self.hidden_heading = true;
        self
    }

    /// Each cell carries its heading as `data-label` (narrow screens show it beside the value).
    pub fn data_label(mut self) -> Self {
        self.data_label = true;
        self
    }
}

/// A table's columns, in order.
pub struct Columns<R>(Arc<Vec<Column<R>>>);

impl<R> Clone for Columns<R> {
    fn clone(&self) -> Self {
        Columns(self.0.clone())
    }
}

impl<R: 'static> Columns<R> {
    pub fn new(columns: Vec<Column<R>>) -> Self {
        Columns(Arc::new(columns))
    }

    /// Columns whose cells all carry their heading as `data-label` ([`Column::data_label`]).
    pub fn labelled(columns: Vec<Column<R>>) -> Self {
        Self::new(columns.into_iter().map(Column::data_label).collect())
    }

    /// `rows` as the export of this table, titled `title` (also the file's name).
    pub fn export(&self, i18n: I18nContext<Locale>, title: String, rows: &[R]) -> ExportTable {
        let exported: Vec<&Column<R>> = self.0.iter().filter(|c| c.export.is_some()).collect();
        ExportTable {
            title,
            columns: exported
                .iter()
                .map(|c| (c.export_heading.as_ref().unwrap_or(&c.heading))(i18n))
                .collect(),
            rows: rows
                .iter()
                .map(|r| {
                    exported
                        .iter()
                        .filter_map(|c| c.export.as_ref().map(|e| e(r)))
                        .collect()
                })
                .collect(),
        }
    }
}

/// `<div class="table-wrap"><table class="table …">` with a heading per shown column and a
/// row per item of `rows`.
#[component]
pub fn DataTable<R: Clone + Send + Sync + 'static>(
    columns: Columns<R>,
    #[prop(into)] rows: Signal<Vec<R>>,
    /// Classes beside `table` (e.g. `kpi-table`).
    #[prop(optional)]
    class: Option<&'static str>,
    /// The words shown (muted) instead of a table without rows.
    #[prop(optional)]
    empty: Option<Words>,
    /// A row's class, if it has one (e.g. `muted`).
    #[prop(optional)]
    row_class: Option<fn(&R) -> Option<&'static str>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let class = match class {
        Some(c) => format!("table {c}"),
        None => "table".to_string(),
    };
    let shown: Vec<Column<R>> = columns
        .0
        .iter()
        .filter(|c| c.cell.is_some())
        .cloned()
        .collect();
    let shown = Arc::new(shown);
    move || {
        let rows = rows.get();
        if rows.is_empty() {
            return none_note(i18n, empty);
        }
        let head = shown
            .iter()
            .map(|c| {
                let heading = c.heading.clone();
                let text = move || heading(i18n);
                if c.hidden_heading {
                    view! { <th scope="col"><span class="visually-hidden">{text}</span></th> }
                        .into_any()
                } else {
                    view! { <th scope="col">{text}</th> }.into_any()
                }
            })
            .collect_view();
        let body = rows
            .into_iter()
            .map(|r| {
                let cells = shown
                    .iter()
                    .filter_map(|c| {
                        let cell = c.cell.as_ref()?(&r);
                        let label = c.data_label.then(|| {
                            let heading = c.heading.clone();
                            move || heading(i18n)
                        });
                        Some(if c.row_header {
                            view! { <th scope="row" class=c.class data-label=label>{cell}</th> }
                                .into_any()
                        } else {
                            view! { <td class=c.class data-label=label>{cell}</td> }.into_any()
                        })
                    })
                    .collect_view();
                let class = row_class.and_then(|f| f(&r));
                view! { <tr class=class>{cells}</tr> }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class=class.clone()>
                    <thead>
                        <tr>{head}</tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
        .into_any()
    }
}
