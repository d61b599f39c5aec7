//! Photos and signatures (docs/ui/blobs.md) end to end, on the test drive's 驾驶证照片 and
//! 试驾协议签名: a consultant's tablet takes a photo (a big picture, shrunk on the device) and
//! the customer signs, both with no network; the header counts them as waiting; after
//! reconnecting they are uploaded, and the sales manager's PC (another browser profile) shows
//! them: first "on the server" while it is offline, then the pictures once online.

use std::io::Write;

use e2e::{Browser, Server, temp_dir};
use fantoccini::Locator;
use serde_json::json;

/// A `width` × `height` 24-bit BMP (a colour gradient): a camera-sized picture every browser
/// decodes, written without an image library.
fn bmp(width: u32, height: u32) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let pixels = row * height;
    let mut out = Vec::with_capacity(54 + pixels as usize);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(54 + pixels).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(width as i32).to_le_bytes());
    out.extend_from_slice(&(height as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&pixels.to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    for y in 0..height {
        for x in 0..width {
            out.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 128]);
        }
        out.resize(out.len() + (row - width * 3) as usize, 0);
    }
    out
}

/// The `naturalWidth` of the first loaded `img` matching `css`, once there is one.
async fn picture_width(browser: &Browser, css: &str) -> u64 {
    browser
        .wait_until(&format!("a loaded picture {css}"), async || {
            let w = browser
                .eval(
                    "const i = document.querySelector(arguments[0]);
                     return i && i.complete ? i.naturalWidth : 0;",
                    vec![json!(css)],
                )
                .await;
            w.as_u64().filter(|w| *w > 0)
        })
        .await
}

/// Draws a stroke on the signature pad with pointer events.
async fn sign(browser: &Browser) {
    browser
        .eval(
            "const c = document.querySelector('canvas.signature-canvas');
             const r = c.getBoundingClientRect();
             const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, {
               bubbles: true, cancelable: true, pointerId: 1, isPrimary: true,
               pointerType: 'pen', clientX: r.left + x, clientY: r.top + y }));
             ev('pointerdown', 20, 40);
             for (let i = 1; i <= 30; i++) ev('pointermove', 20 + i * 8, 40 + (i % 3) * 15);
             ev('pointerup', 260, 40);",
            vec![],
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_and_a_signature_taken_offline_reach_another_device() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let picture = data.path().join("licence.bmp");
    std::fs::File::create(&picture)
        .and_then(|mut f| f.write_all(&bmp(2400, 1200)))
        .expect("writing the picture");
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的试驾平板").await;

    // A card and a drive, online.
    tablet.goto("/sales/a-cards/new").await;
    tablet.fill("姓名", "林晓").await;
    tablet.fill("手机号码", "137 0021 9988").await;
    let model = tablet.wait_for_field("意向车型").await;
    if model.tag_name().await.unwrap_or_default() == "select" {
        tablet.choose_value("意向车型", "rav4").await;
    } else {
        tablet.fill("意向车型", "RAV4荣放").await;
    }
    tablet.choose_value("级别", "H").await;
    tablet.click_button("保存").await;
    let card = tablet.wait_for_record_page("/sales/a-cards").await;
    let card_id = card.rsplit('/').next().unwrap_or_default().to_owned();
    tablet
        .goto(&format!("/sales/test-drives/new?a_card={card_id}"))
        .await;
    tablet.wait_for_text("林晓").await;
    tablet.choose_first("试驾车").await;
    tablet.choose_value("试驾路线", "r1").await;
    tablet.fill("驾驶证号", "440106199201011234").await;
    tablet.fill("驾驶证有效期至", "2031-06-30").await;
    tablet.fill("起始里程", "2000").await;
    tablet.click_button("开始试驾").await;
    let drive = tablet.wait_for_record_page("/sales/test-drives").await;
    tablet.wait_for_text("驾驶证照片").await;
    tablet.wait_gone("条更改待同步").await;
    tablet.wait_for_service_worker().await;

    // In the car: no network. The licence is photographed (the camera input gets the file).
    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;
    let input = tablet.wait_for_field("拍照").await;
    input
        .send_keys(picture.to_str().expect("a UTF-8 path"))
        .await
        .expect("choosing the picture");
    // Shrunk on the device: 2400 px wide → 1600.
    assert_eq!(
        picture_width(&tablet, ".blob-gallery img.blob-image").await,
        1600
    );

    // The customer signs the agreement: an empty pad is refused first.
    tablet.click_button("确认签名").await;
    tablet.wait_for_role("alert", "请先签名").await;
    sign(&tablet).await;
    tablet.click_button("确认签名").await;
    assert!(picture_width(&tablet, "img.signature-image").await > 0);
    assert!(!tablet.has_button("确认签名").await);

    // Both wait on the tablet, with the drive's two changes.
    tablet.wait_for_role("status", "2 张图片待上传").await;
    tablet.wait_for_role("status", "2 条更改待同步").await;
    // A reload keeps them waiting (nothing is lost, nothing is marked sent).
    tablet.reload().await;
    tablet.wait_for_role("status", "2 张图片待上传").await;
    assert_eq!(
        picture_width(&tablet, ".blob-gallery img.blob-image").await,
        1600
    );

    // Back at the store: the changes, then the pictures, go up.
    tablet.set_offline(false).await;
    tablet.wait_gone("条更改待同步").await;
    tablet.wait_gone("张图片待上传").await;

    // The manager's PC has the drive but not the pictures; offline it says where they are.
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    manager.wait_for_service_worker().await;
    manager.set_offline(true).await;
    manager.wait_for_text("离线").await;
    manager.goto(&drive).await;
    manager.wait_for_text("驾驶证照片").await;
    manager.wait_for_text("图片在服务器上，联网后显示").await;
    let notes = manager
        .client()
        .find_all(Locator::Css("p.blob-missing"))
        .await
        .map(|v| v.len())
        .unwrap_or(0);
    assert_eq!(notes, 2, "the photo and the signature are on the server");
    // Online: downloaded, as taken.
    manager.set_offline(false).await;
    assert_eq!(
        picture_width(&manager, ".blob-gallery img.blob-image").await,
        1600
    );
    assert!(picture_width(&manager, "img.signature-image").await > 0);
    manager.wait_gone("图片在服务器上").await;
    // Kept on the PC: shown offline from now on.
    manager.set_offline(true).await;
    manager.reload().await;
    assert_eq!(
        picture_width(&manager, ".blob-gallery img.blob-image").await,
        1600
    );
    manager.close().await;
    tablet.close().await;
}
