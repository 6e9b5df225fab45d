// Progressive enhancement only: everything works without this file.
// After a refused form, move focus to its error summary so keyboard and screen-reader users
// land on what needs fixing.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.scrollIntoView({ block: "center" }); summary.focus(); }
});
