// The course's own accessibility fixes to markup the theme writes in its templates and scripts
// (found by axe-core; tests/book/test_site.py runs axe on every page). Runs once the page is parsed.
document.addEventListener("DOMContentLoaded", () => {
  // The search field shows "Search" and a keyboard shortcut; a button's name must contain the
  // text it shows, so let the visible text name it.
  document.querySelectorAll(".search-button-field[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });
  // The color-mode button shows one icon per mode, each with a title; name it after the action.
  document.querySelectorAll(".theme-switch-button .theme-switch[title]").forEach((icon) => {
    icon.setAttribute("aria-hidden", "true");
    icon.removeAttribute("title");
  });
  // The sidebar's expand arrows are <summary> elements with no name: name each after its section.
  document.querySelectorAll("li.has-children > details > summary").forEach((summary) => {
    const link = summary.closest("li").querySelector(":scope > a");
    const section = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", `Pages of ${section}`);
  });
  // The site title and search box sit in the sidebar outside any landmark: make it one.
  const sidebar = document.querySelector(".bd-sidebar-primary");
  if (sidebar && !sidebar.getAttribute("role")) {
    sidebar.setAttribute("role", "region");
    sidebar.setAttribute("aria-label", "Course navigation");
  }
});
