// The page frame on small screens.
// - The header's menu button: on a phone the navigation folds behind it. The button is hidden in
//   the markup, so without this script the links simply stay open.
// - Content that scrolls sideways inside its own container (wide tables, the strategy map) can
//   be scrolled by keyboard: such a container takes focus while, and only while, it overflows.
(() => {
  const button = document.querySelector(".menu-button");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (button && menu) {
    const setOpen = (open) => button.setAttribute("aria-expanded", open ? "true" : "false");
    button.hidden = false;
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    // Escape closes the open menu and returns to its button, as in a disclosure widget.
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  const SCROLLERS = ".table, .strategy-map-scroll";
  const markScrollable = () => {
    document.querySelectorAll(SCROLLERS).forEach((element) => {
      const overflows = element.scrollWidth > element.clientWidth;
      if (overflows && !element.hasAttribute("tabindex")) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("data-scroll-focus", "");
      } else if (!overflows && element.hasAttribute("data-scroll-focus")) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-scroll-focus");
      }
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);
  document.addEventListener("htmx:afterSettle", markScrollable);
})();
