//! Waits and actions inside one part of a page (an XPath scope: a car's card, a job's row), for
//! the pages that show several things with the same buttons (the service board, the jobs, QC).

use fantoccini::elements::Element;
use serde_json::json;

use crate::{Browser, xpath_literal};

/// Waits until the element at `xpath` is visible; `what` names it in the timeout's message.
pub async fn find(b: &Browser, what: &str, xpath: &str) -> Element {
    b.wait_until(what, async || b.visible(xpath).await).await
}

/// Clicks the button named `name` inside the element at `scope`.
pub async fn click_in(b: &Browser, scope: &str, name: &str) {
    let xpath = format!(
        "{scope}//button[normalize-space(.)={}]",
        xpath_literal(name)
    );
    let el = b
        .wait_until(&format!("{name} in {scope}"), async || {
            let el = b.visible(&xpath).await?;
            el.is_enabled().await.unwrap_or(false).then_some(el)
        })
        .await;
    el.click()
        .await
        .unwrap_or_else(|e| panic!("clicking {name}: {e}"));
}

/// Types `value` into the control with id starting `id_prefix` inside `scope`.
pub async fn type_in(b: &Browser, scope: &str, id_prefix: &str, value: &str) {
    let xpath = format!("{scope}//*[starts-with(@id, {})]", xpath_literal(id_prefix));
    let el = find(b, id_prefix, &xpath).await;
    b.eval(
        "const [el, v] = arguments;
         const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
         setter.call(el, v);
         el.dispatchEvent(new Event('input', {bubbles: true}));
         el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![serde_json::to_value(&el).expect("element"), json!(value)],
    )
    .await;
}

/// Waits until the element at `xpath` contains `text`.
pub async fn wait_text_in(b: &Browser, xpath: &str, text: &str) {
    b.wait_until(&format!("{text:?} in {xpath}"), async || {
        let el = b.visible(xpath).await?;
        el.text().await.ok()?.contains(text).then_some(())
    })
    .await
}

/// On the 派工 board: the job `job` of the car `plate` to the technician `technician`, then
/// waits until it is on the technician's row.
pub async fn dispatch(pc: &Browser, plate: &str, job: &str, technician: &str) {
    let li = format!(
        "//li[@aria-label={}]",
        xpath_literal(&format!("{plate} {job}"))
    );
    find(pc, job, &format!("{li}//select")).await;
    pc.wait_until(&format!("{technician} offered"), async || {
        // Found again each time: the board may be drawn again meanwhile.
        let select = pc.visible(&format!("{li}//select")).await?;
        let chosen = pc
            .eval(
                "const [el, name] = arguments;
                 const o = [...el.options].find(o => o.text.trim() === name);
                 if (!o) return false;
                 el.value = o.value;
                 el.dispatchEvent(new Event('change', {bubbles: true}));
                 return true;",
                vec![
                    serde_json::to_value(&select).expect("select"),
                    json!(technician),
                ],
            )
            .await;
        (chosen == json!(true)).then_some(())
    })
    .await;
    click_in(pc, &li, "派工").await;
    wait_text_in(
        pc,
        &format!("//section[@aria-label={}]", xpath_literal(technician)),
        job,
    )
    .await;
}
