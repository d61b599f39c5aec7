//! 续保 and 流失客户 (issue 17): a CS specialist opens the renewal pipeline, calls a customer
//! whose renewal is still to contact, logs the call reached and records the renewal won with the
//! quote; the CS manager finds it in the month's audit sample (the outcome's task is one the
//! sample draws: `domain::care::renewal::in_audit_sample`) and audits it. Then the specialist
//! calls a lost customer, records the reason and the shop they use now, and the lost-customer
//! page shows the reason in the customer's group.

use domain::care::renewal::in_audit_sample;
use e2e::{Browser, Server, temp_dir};
use serde_json::json;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_specialist_records_a_renewal_the_manager_audits_it_and_a_lost_reason_shows_in_its_group()
{
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let zhao = Browser::synced(&server, "cs", "赵敏", "客服平板A").await;

    // The pipeline: a renewal still to contact, one of whose contact tasks the sample draws.
    zhao.goto("/care/renewal").await;
    zhao.wait_for_text("待联系").await;
    let (card, task) = zhao
        .wait_until("a renewal to contact, drawn for the audit", async || {
            let v = zhao
                .eval(
                    "return [...document.querySelectorAll(\"tr.renewal-row[data-stage='to_contact'] a.renewal-contact\")]
                        .map(a => [a.closest('tr').dataset.card, a.dataset.task]);",
                    vec![],
                )
                .await;
            v.as_array()?.iter().find_map(|pair| {
                let card = pair.get(0)?.as_str()?;
                let task = pair.get(1)?.as_str()?;
                let id = Uuid::parse_str(task).ok()?;
                in_audit_sample(id).then(|| (card.to_owned(), task.to_owned()))
            })
        })
        .await;

    // The call reached the customer; the outcome: renewed, with the quote.
    zhao.goto(&format!("/care/task/{task}")).await;
    zhao.wait_for_text("拨打结果").await;
    zhao.click_button("已接通").await;
    zhao.wait_for_text("已完成").await;
    zhao.fill("报价(元)", "3280").await;
    zhao.fill("承保公司", "人保").await;
    zhao.click_button("保存结果").await;
    zhao.wait_for_text("已记录续保结果").await;
    zhao.wait_for_text("已续保 · ¥3280 人保").await;
    zhao.goto("/care/renewal").await;
    zhao.wait_until("the renewal shown renewed", async || {
        let v = zhao
            .eval(
                "const [c] = arguments;
                 const r = document.querySelector(`tr.renewal-row[data-card='${c}']`);
                 return r ? r.dataset.stage : null;",
                vec![json!(card)],
            )
            .await;
        (v.as_str() == Some("renewed")).then_some(())
    })
    .await;
    zhao.wait_gone("条更改待同步").await;

    // The CS manager's audit sample holds it; audited as correct.
    let manager = Browser::synced(&server, "csmgr", "周婷", "客服经理电脑2").await;
    manager.goto("/care/renewal").await;
    manager.wait_for_text("续保抽查").await;
    manager
        .wait_until("the outcome in the audit sample", async || {
            let v = manager
                .eval(
                    "const [t] = arguments;
                     const li = document.querySelector(`li.renewal-audit-item[data-task='${t}']`);
                     if (!li) return null;
                     const b = li.querySelector('button.renewal-audit-ok');
                     if (b) { b.click(); }
                     return true;",
                    vec![json!(task)],
                )
                .await;
            v.as_bool()
        })
        .await;
    manager
        .wait_until("the audit recorded", async || {
            let v = manager
                .eval(
                    "const [t] = arguments;
                     const li = document.querySelector(`li.renewal-audit-item[data-task='${t}']`);
                     return li ? li.dataset.audited : null;",
                    vec![json!(task)],
                )
                .await;
            (v.as_str() == Some("true")).then_some(())
        })
        .await;
    manager.wait_for_text("无误").await;

    // A lost customer: the call reached them, the reason and the shop recorded.
    zhao.goto("/care/lost").await;
    zhao.wait_for_text("本地在保").await;
    let (group, lost_card, href) = zhao
        .wait_until("a lost customer still to call", async || {
            let v = zhao
                .eval(
                    "const r = document.querySelector(\"tr.lost-row[data-reason='false'][data-open='true']\");
                     if (!r) return null;
                     const a = r.querySelector('td.lost-customer a');
                     return a ? [r.closest('section').dataset.group, r.dataset.card, a.getAttribute('href')] : null;",
                    vec![],
                )
                .await;
            let a = v.as_array()?;
            Some((
                a.first()?.as_str()?.to_owned(),
                a.get(1)?.as_str()?.to_owned(),
                a.get(2)?.as_str()?.to_owned(),
            ))
        })
        .await;
    zhao.goto(&href).await;
    zhao.wait_for_text("拨打结果").await;
    zhao.click_button("已接通").await;
    zhao.wait_for_text("已完成").await;
    zhao.select("流失原因", "路程太远").await;
    zhao.fill("现在在哪家店", "城西修理厂").await;
    zhao.click_button("保存原因").await;
    zhao.wait_for_text("已记录流失原因").await;
    zhao.goto("/care/lost").await;
    zhao.wait_until("the reason in the customer's group", async || {
        let v = zhao
            .eval(
                "const [g, c] = arguments;
                 const r = document.querySelector(`section.lost-group[data-group='${g}'] tr.lost-row[data-card='${c}']`);
                 if (!r) return null;
                 return [r.querySelector('td.lost-reason').textContent, r.querySelector('td.lost-shop').textContent];",
                vec![json!(group), json!(lost_card)],
            )
            .await;
        let a = v.as_array()?;
        let reason = a.first()?.as_str()?;
        let shop = a.get(1)?.as_str()?;
        (reason.contains("路程太远") && shop.contains("城西修理厂")).then_some(())
    })
    .await;
    // Counted among the reasons.
    zhao.wait_for_text("流失原因统计").await;
    zhao.wait_gone("条更改待同步").await;
    for b in [manager, zhao] {
        b.close().await;
    }
}
