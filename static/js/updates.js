// "My updates": Enter in an actual saves its row (htmx) and moves to the next row's actual.
// Without this script the page is one form: Enter and "Save all" post every row.
(() => {
  let movingFrom = null; // the id of the row whose save Enter started

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.key !== "Enter" || !(input instanceof HTMLInputElement)) return;
    if (!input.classList.contains("update-value") || !window.htmx) return;
    const row = input.closest("tr.update-row");
    const save = row && row.querySelector("button.save-row");
    if (!save) return;
    event.preventDefault(); // not the form's implicit "Save all"
    movingFrom = row.id;
    save.click();
  });

  // A refused row answers 400 (or 409 for a conflict) with the row and its messages: swap it
  // in like a success, since htmx leaves 4xx answers unswapped by default.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const status = event.detail.xhr.status;
    if (target && target.classList.contains("update-row") && (status === 400 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    const id = target && target.id;
    if (!id || !id.startsWith("row-")) return;
    const row = document.getElementById(id);
    if (!row) return;
    const invalid = row.querySelector("[aria-invalid='true']");
    if (invalid) {
      // Stay on the row, on the field that needs attention (e.g. the corrective action).
      invalid.focus();
    } else if (movingFrom === id) {
      const rows = Array.from(document.querySelectorAll("tr.update-row"));
      const next = rows.slice(rows.indexOf(row) + 1).find((r) => r.querySelector("input.update-value:not([disabled])"));
      const input = next ? next.querySelector("input.update-value") : row.querySelector("input.update-value");
      if (input) {
        input.focus();
        input.select();
      }
    }
    movingFrom = null;
  });
})();
