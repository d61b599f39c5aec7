//! What the hand-run benchmarks (`tests/bench_lists.rs`, `tests/bench_device.rs`) share: the
//! scripts that time a screen opening and a search keystroke in the page, and percentiles.

/// Clicks the link `name` in the page and returns the ms until `selector` matches.
pub const OPEN: &str = r#"
const [name, selector] = arguments;
const done = arguments[arguments.length - 1];
const link = [...document.querySelectorAll('a')].find(a => a.textContent.trim() === name);
const t0 = performance.now();
link.click();
const poll = () => {
  if (document.querySelector(selector)) done(performance.now() - t0);
  else requestAnimationFrame(poll);
};
poll();
"#;

/// Types `q` into the header's search and returns the ms until the results answer it (every
/// result's digits contain the query's, or 本机没有找到).
pub const KEY: &str = r#"
const [q] = arguments;
const done = arguments[arguments.length - 1];
const input = document.querySelector('.header-search-input');
const t0 = performance.now();
const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
setter.call(input, q);
input.dispatchEvent(new Event('input', {bubbles: true}));
const answered = () => {
  const list = document.querySelector('.header-search-results');
  if (!list) return false;
  if (list.querySelector('.header-search-none')) return true;
  const rows = [...list.querySelectorAll('.header-search-detail')];
  return rows.length > 0 && rows.every(r => r.textContent.replace(/\D/g, '').includes(q));
};
const poll = () => {
  if (answered()) done(performance.now() - t0);
  else setTimeout(poll, 0);
};
poll();
"#;

pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}
