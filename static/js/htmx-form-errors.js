// A refused form answers 400 (409 when it was based on an older version) with the form
// re-rendered around its error messages: let htmx swap it in like a success (htmx leaves 4xx
// answers unswapped by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
