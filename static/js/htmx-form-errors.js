// A refused form answers 400 with the form re-rendered around its error messages: let htmx swap
// it in like a success (htmx leaves 4xx answers unswapped by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
