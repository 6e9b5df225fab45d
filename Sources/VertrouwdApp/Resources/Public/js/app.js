// Progressive enhancement only: everything works without this file.
// After a refused form, move focus to its error summary so keyboard and screen-reader users
// land on what needs fixing.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.scrollIntoView({ block: "center" }); summary.focus(); }
});

// Attachments: say at once when files are too many or too large, instead of after a long
// upload on a phone. The limits and messages come from the page; the server checks the same.
(function () {
  function problem(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > Number(input.dataset.maxFiles)) return input.dataset.tooMany;
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > Number(input.dataset.maxBytes)) return input.dataset.tooLarge.replace("{name}", files[i].name);
    }
    return "";
  }
  function show(input) {
    var message = document.getElementById(input.id + "-check"), text = problem(input);
    if (message) message.textContent = text;
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    return text;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-files]")) show(event.target);
  });
  document.addEventListener("submit", function (event) {
    var input = event.target.querySelector("input[type=file][data-max-files]");
    if (input && show(input)) { event.preventDefault(); input.focus(); }
  });
})();

// A policy draft: adopting takes the saved text. With unsaved changes in the editor, ask first
// (without JavaScript the form's intro says to save first).
(function () {
  var body = document.getElementById("edit-body"), adopt = document.getElementById("adopt");
  if (!body || !adopt) return;
  var saved = body.value;
  adopt.addEventListener("submit", function (event) {
    if (body.value !== saved && !window.confirm("De tekst heeft wijzigingen die nog niet zijn opgeslagen. Vastgesteld wordt de opgeslagen tekst, zonder die wijzigingen. Toch vaststellen?")) {
      event.preventDefault();
      body.focus();
    }
  });
})();

// Acts that are hard to undo ask first: a form with data-confirm says what will happen.
document.addEventListener("submit", function (event) {
  var text = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (text && !event.defaultPrevented && !window.confirm(text)) event.preventDefault();
});

// A form with files on its way: the button says so and cannot be pressed twice (a 9 MB report
// from a phone takes a while). Runs after the checks above, which may stop the form.
document.addEventListener("submit", function (event) {
  var form = event.target, input = form.querySelector && form.querySelector("input[type=file]");
  if (event.defaultPrevented || !input || !input.files || !input.files.length) return;
  var button = form.querySelector("button[type=submit]");
  if (!button) return;
  if (form.dataset.sending) button.textContent = form.dataset.sending;
  setTimeout(function () { button.disabled = true; }, 0);
});

// Copy buttons: a code or link marked data-copy gets a button that copies it; the label and the
// "copied" word come from the page, in its language. Without this the text stays selectable.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy no-print";
    button.textContent = element.getAttribute("data-copy");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(element.textContent.trim()).then(function () {
        button.textContent = element.getAttribute("data-copied") || button.textContent;
      });
    });
    element.insertAdjacentElement("afterend", button);
  });
});

// Print buttons: shown only where a script can print (without it, the browser's menu prints).
document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// A form with files goes with a progress bar: a 9 MB report from a phone takes a while, and a
// frightened reporter should see it move. Our own answer page (it names the application) replaces
// this one as if the browser had posted the form itself, at an address a reload does not send
// again. Any other answer, or none, leaves the form as it is with a message that says the outcome
// is not known. Without XMLHttpRequest the form posts as usual. Runs last: a check above may have
// stopped the form.
document.addEventListener("submit", function (event) {
  var form = event.target, input = form.querySelector && form.querySelector("input[type=file]");
  if (event.defaultPrevented || !form.dataset || !form.dataset.sending || !input || !input.files || !input.files.length
      || !window.XMLHttpRequest || !window.FormData) return;
  event.preventDefault();
  var button = form.querySelector("button[type=submit]"), label = button.getAttribute("data-label") || button.textContent;
  button.setAttribute("data-label", label);
  Array.prototype.forEach.call(form.querySelectorAll("progress.upload, p.upload-status"), function (old) { old.remove(); });
  var bar = document.createElement("progress"), said = document.createElement("p"), lastSaid = -1, request = new XMLHttpRequest();
  bar.max = 100; bar.className = "upload";
  said.className = "small upload-status"; said.setAttribute("role", "status");
  button.insertAdjacentElement("afterend", said);
  button.insertAdjacentElement("afterend", bar);
  function unknown() {
    bar.remove();
    said.textContent = form.dataset.failed || "";
    said.className = "error upload-status";
    button.textContent = label;
    button.disabled = false;
  }
  request.upload.addEventListener("progress", function (e) {
    if (!e.lengthComputable) return;
    var percent = Math.floor(e.loaded * 100 / e.total);
    bar.value = percent;
    bar.textContent = percent + "%";
    if (percent >= lastSaid + 25 || percent === 100) { lastSaid = percent; said.textContent = percent + "%"; }
  });
  request.addEventListener("load", function () {
    var html = request.responseText || "";
    if ((request.getResponseHeader("Content-Type") || "").indexOf("text/html") !== 0
        || html.indexOf('<meta name="application-name" content="Vertrouwd">') < 0) { unknown(); return; }
    if (request.responseURL) history.replaceState(null, "", request.responseURL);
    document.open();
    document.write(html);
    document.close();
    var heading = document.querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  });
  request.addEventListener("error", unknown);
  request.addEventListener("abort", unknown);
  request.open("POST", form.action);
  request.send(new FormData(form));
});

// Printing shows long texts whole: their folded rest opens first.
window.addEventListener("beforeprint", function () {
  Array.prototype.forEach.call(document.querySelectorAll("details.more"), function (d) { d.open = true; });
});
