//! Form fields, each drawn as the pages draw them: `<div class="field">` holding a
//! `<label for=…>` (the children: the label's words) and the control with that id; a check box
//! is `<label class="check">` around the box and its words.
//!
//! A field edits a [`Bind`]: a value to show and what to do with a new one (an `RwSignal`
//! converts into one).

use domain::label::Choice;
use leptos::prelude::*;

use super::labels::Words;
use crate::i18n::*;

/// What a field shows and where a typed value goes.
pub struct Bind<T: Send + Sync + 'static> {
    get: Signal<T>,
    set: Callback<T>,
}

impl<T: Send + Sync + 'static> Clone for Bind<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Bind<T> {}

impl<T: Clone + Send + Sync + 'static> Bind<T> {
    /// A value read by `get` (tracked) and changed by `set`.
    pub fn new(
        get: impl Fn() -> T + Send + Sync + 'static,
        set: impl Fn(T) + Send + Sync + 'static,
    ) -> Self {
        Bind {
            get: Signal::derive(get),
            set: Callback::new(set),
        }
    }

    /// The value now, tracking changes.
    pub fn get(&self) -> T {
        self.get.get()
    }

    /// Puts a new value.
    pub fn set(&self, value: T) {
        self.set.run(value);
    }
}

impl<T: Clone + Send + Sync + 'static> From<RwSignal<T>> for Bind<T> {
    fn from(signal: RwSignal<T>) -> Self {
        Bind {
            get: signal.into(),
            set: Callback::new(move |v| signal.set(v)),
        }
    }
}

/// `aria-invalid` while `invalid` says so (absent when a field is never marked).
fn aria_invalid(invalid: Option<Signal<bool>>) -> impl Fn() -> Option<String> + Send + Sync {
    move || invalid.map(|i| i.get().to_string())
}

/// `<div class="field">`: the label for `id`, then the control (given the id).
fn labelled<V: IntoView>(
    id: String,
    label: Children,
    control: impl FnOnce(String) -> V,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label()}</label>
            {control(id)}
        </div>
    }
}

/// What an `<input>` of a field has beside its id, value and validity; an attribute that is
/// `None` is not drawn.
#[derive(Default, Clone, Copy)]
struct Input {
    kind: &'static str,
    inputmode: Option<&'static str>,
    autocomplete: Option<&'static str>,
    name: Option<&'static str>,
    min: Option<&'static str>,
    max: Option<&'static str>,
    step: Option<&'static str>,
    required: bool,
    /// The value is also taken on `change` (pickers that set it without an `input` event).
    on_change: bool,
}

/// The `<input>` of [`TextField`], [`NumberField`] and [`DateField`].
fn input(
    id: String,
    value: Bind<String>,
    invalid: Option<Signal<bool>>,
    placeholder: Option<Signal<String>>,
    a: Input,
) -> impl IntoView {
    view! {
        <input
            id=id
            name=a.name
            type=a.kind
            inputmode=a.inputmode
            autocomplete=a.autocomplete
            min=a.min
            max=a.max
            step=a.step
            placeholder=move || placeholder.map(|p| p.get())
            aria-invalid=aria_invalid(invalid)
            aria-required=a.required.then_some("true")
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
            on:change=move |ev| {
                if a.on_change {
                    value.set(event_target_value(&ev))
                }
            }
        />
    }
}

/// A one-line text input (`type` is `text` unless given: `tel`, `password`, `search` …).
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] value: Bind<String>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    #[prop(optional)] required: bool,
    /// A line under the input (`<p class="hint">`), while it says something.
    #[prop(optional, into)]
    hint: Option<Signal<Option<String>>>,
    children: Children,
) -> impl IntoView {
    let hint = move || {
        hint.and_then(|h| h.get())
            .map(|h| view! { <p class="hint">{h}</p> })
    };
    let attributes = Input {
        kind: kind.unwrap_or("text"),
        inputmode,
        autocomplete,
        name,
        required,
        ..Input::default()
    };
    labelled(id, children, move |id| {
        view! {
            {input(id, value, invalid, placeholder, attributes)}
            {hint}
        }
    })
}

/// A number typed as text (`inputmode` numeric, or decimal with `decimal`); the page parses it.
#[component]
pub fn NumberField(
    #[prop(into)] id: String,
    #[prop(into)] value: Bind<String>,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(optional)] decimal: bool,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let attributes = Input {
        kind: "number",
        inputmode: Some(if decimal { "decimal" } else { "numeric" }),
        min,
        max,
        step,
        ..Input::default()
    };
    labelled(id, children, move |id| {
        input(id, value, invalid, None, attributes)
    })
}

/// Which picker a [`DateField`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateKind {
    /// `YYYY-MM-DD`
    #[default]
    Date,
    /// `YYYY-MM-DDTHH:MM`
    // The visit, test-drive and order forms' times, as those pages move onto the kit.
    #[allow(dead_code)]
    DateTime,
    /// `YYYY-MM`
    Month,
}

impl DateKind {
    fn input_type(self) -> &'static str {
        match self {
            DateKind::Date => "date",
            DateKind::DateTime => "datetime-local",
            DateKind::Month => "month",
        }
    }
}

/// A date (or date and time, or month) picker; the value is the input's text.
#[component]
pub fn DateField(
    #[prop(into)] id: String,
    #[prop(into)] value: Bind<String>,
    #[prop(optional)] kind: DateKind,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let attributes = Input {
        kind: kind.input_type(),
        on_change: true,
        ..Input::default()
    };
    labelled(id, children, move |id| {
        input(id, value, invalid, None, attributes)
    })
}

/// A text area (`rows` 2 unless given).
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] value: Bind<String>,
    #[prop(optional)] rows: Option<u32>,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    labelled(id, children, move |id| {
        view! {
        <textarea
            id=id
            rows=rows.unwrap_or(2)
            aria-invalid=aria_invalid(invalid)
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        ></textarea>
        }
    })
}

/// A check box with its words: `<label class="check"><input type="checkbox"><span>…</span>`.
#[component]
pub fn Checkbox(
    #[prop(into)] checked: Bind<bool>,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    view! {
        <label class="check">
            <input
                type="checkbox"
                prop:checked=move || checked.get()
                disabled=move || disabled.is_some_and(|d| d.get())
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <span>{children()}</span>
        </label>
    }
}

/// A select over `(value, label)` options; `blank` adds a first option with the empty value.
#[component]
pub fn Select(
    #[prop(into)] id: String,
    #[prop(into)] value: Bind<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] blank: Option<Signal<String>>,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    /// The wrapping `div`'s class (`field` unless given).
    #[prop(optional)]
    class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    select(
        id,
        value,
        options,
        (blank, invalid),
        class,
        children().into_any(),
    )
}

/// The markup of [`Select`] and [`EnumSelect`].
fn select(
    id: String,
    value: Bind<String>,
    options: Signal<Vec<(String, String)>>,
    (blank, invalid): (Option<Signal<String>>, Option<Signal<bool>>),
    class: Option<&'static str>,
    label: AnyView,
) -> impl IntoView {
    view! {
        <div class=class.unwrap_or("field")>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                aria-invalid=aria_invalid(invalid)
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {move || {
                    blank
                        .map(|b| {
                            view! {
                                <option value="" selected=move || value.get().is_empty()>
                                    {move || b.get()}
                                </option>
                            }
                        })
                }}
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, label)| {
                            let chosen = v.clone();
                            view! {
                                <option value=v selected=move || value.get() == chosen>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// Selects over a domain [`Choice`] (`ui::field::choice::EnumSelect`). The sales forms' enum selects (source, grade, loss reason
/// …) use them as those pages move onto the kit; until then nothing here is called.
#[allow(dead_code)]
pub mod choice {
    use super::*;

    /// The `(wire name, label)` options of every variant of `T`, in the user's language.
    pub fn choice_options<T: Choice>(i18n: I18nContext<Locale>) -> Vec<(String, String)> {
        let english = i18n.get_locale() == Locale::en;
        T::all()
            .iter()
            .map(|v| (v.wire().to_string(), v.label(english).to_string()))
            .collect()
    }

    /// A [`Select`] over the variants of `T`; the value is the wire name.
    #[component]
    pub fn EnumSelect<T: Choice + Send + Sync>(
        #[prop(into)] id: String,
        #[prop(into)] value: Bind<String>,
        #[prop(optional, into)] blank: Option<Signal<String>>,
        #[prop(optional, into)] invalid: Option<Signal<bool>>,
        #[prop(optional)] _choice: std::marker::PhantomData<T>,
        children: Children,
    ) -> impl IntoView {
        let i18n = use_i18n();
        let options = Signal::derive(move || choice_options::<T>(i18n));
        select(
            id,
            value,
            options,
            (blank, invalid),
            None,
            children().into_any(),
        )
    }
}

/// The options of a yes/no select: `true` says `yes`, `false` says `no` (tracked).
pub fn yes_no_options(
    i18n: I18nContext<Locale>,
    yes: Words,
    no: Words,
) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        vec![
            ("true".to_string(), yes(i18n).to_string()),
            ("false".to_string(), no(i18n).to_string()),
        ]
    })
}

/// The blank first option of a select that asks for a choice (请选择).
pub fn choose_blank(i18n: I18nContext<Locale>) -> Signal<String> {
    Signal::derive(move || t_string!(i18n, a_card.choose).to_string())
}
