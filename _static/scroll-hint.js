// On a phone a wide table scrolls inside its own box (_static/book.css), and
// nothing on the screen says so: its right-hand columns are simply cut off.
// Each table wider than its box gets a line above it that says it scrolls
// (tests/browser checks every one at 390 pixels). A ResizeObserver, not a
// resize event: a table in a collapsed cell has no width until it is opened.
const WIDE = [
  "article.bd-article div.cell_output table",
  "article.bd-article section > div.output.text_html table", // glued into the prose
  "article.bd-article div.pst-scrollable-table-container", // a Markdown table
  "article.bd-article div.cell_output .text_html pre", // model.summary's box lines
  "article.bd-article div.tag_wide-output div.cell_output pre",
].join(", ");

function hintIfWide(box) {
  const before = box.previousElementSibling;
  const hint = before?.classList.contains("scroll-hint") ? before : null;
  const wide = box.scrollWidth > box.clientWidth + 1;
  if (wide && !hint) {
    const line = document.createElement("p");
    line.className = "scroll-hint";
    line.textContent = "⇆ Wider than the screen: swipe sideways for more columns.";
    box.before(line);
  } else if (!wide && hint) {
    hint.remove();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) hintIfWide(entry.target);
  });
  for (const box of document.querySelectorAll(WIDE)) observer.observe(box);
});
