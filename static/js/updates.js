// "My updates": Enter in an actual saves its row (htmx), as the row's Save button does; once the
// saved row is in place, focus moves to the next row's actual.
// Without this script the page is one form: Enter and "Save all" post every row. The script also
// focuses the error summary after a refused "Save all" and asks before leaving unsaved rows.
(() => {
  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.key !== "Enter" || !(input instanceof HTMLInputElement)) return;
    if (!input.classList.contains("update-value") || !window.htmx) return;
    const row = input.closest("tr.update-row");
    const save = row && row.querySelector("button.save-row");
    if (!save) return;
    event.preventDefault(); // not the form's implicit "Save all"
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

  const nextActual = (row) => {
    const rows = Array.from(document.querySelectorAll("tr.update-row"));
    const next = rows.slice(rows.indexOf(row) + 1).find((r) => r.querySelector("input.update-value:not([disabled])"));
    return (next || row).querySelector("input.update-value:not([disabled])");
  };

  // Focus moves only when the answered row has settled: htmx fires afterSettle on the new row,
  // after the swap that replaced the old one (and the control that had focus with it). Earlier
  // events (the request's end, afterRequest) can come before the swap, and a timer is a guess.
  document.addEventListener("htmx:afterSettle", (event) => {
    const row = event.target;
    if (!(row instanceof HTMLTableRowElement) || !row.classList.contains("update-row")) return;
    const invalid = row.querySelector("[aria-invalid='true']");
    if (invalid) {
      // Stay on the row, on the field that needs attention (e.g. the corrective action).
      invalid.focus();
    } else if (row.hasAttribute("data-saved")) {
      const input = nextActual(row);
      if (input) {
        input.focus();
        input.select();
      }
    }
    // Otherwise htmx has already put focus back on the control that had it (same id).
  });

  // "Save all" refused some rows: the error summary takes focus, so it is read first and its
  // links lead to the fields to fix.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Leaving with rows not saved asks first: rows typed in since they were shown (marked here)
  // and rows the server refused (data-unsaved). A saved row is replaced by the server's answer,
  // which carries neither mark. Saving the whole form is no leaving.
  document.addEventListener("input", (event) => {
    const row = event.target instanceof Element && event.target.closest("tr.update-row");
    if (row) row.setAttribute("data-edited", "");
  });
  let submitting = false;
  document.addEventListener("submit", (event) => {
    if (event.target instanceof HTMLFormElement && event.target.id === "updates-form") submitting = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !document.querySelector("tr.update-row[data-edited], tr.update-row[data-unsaved]")) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
})();
