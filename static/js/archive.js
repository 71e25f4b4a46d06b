// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // A menu marked "autosubmit" (the language switch) sends its form as soon as it changes.
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
