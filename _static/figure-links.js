// Every figure opens at full size on a tap. On a phone a figure drawn 6.5 inches
// wide is shown at a third of its size, and its small print is too small to
// read: its own image file, opened alone, can be zoomed. Sphinx already links
// the images it scaled (html_scaled_image_link: the retina figures); this links
// any other image of the page's text to its own file, so that every figure can
// be opened (tests/browser checks each one at 1280 and 390 pixels).
document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll("article.bd-article img")) {
    const src = new URL(img.src, document.baseURI);
    if (src.origin !== location.origin) continue; // a badge from elsewhere
    let link = img.closest("a");
    if (!link) {
      link = document.createElement("a");
      link.href = img.src;
      link.className = "reference internal image-reference";
      img.replaceWith(link);
      link.appendChild(img);
    }
    if (link.href === img.src && !link.title) {
      link.title = "Open the figure at full size";
    }
  }
});
