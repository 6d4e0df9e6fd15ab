// Progressive enhancement: without this file the form posts to the server and the page works the same.
// The script never builds answer markup: it inserts the exchange the server renders (/fragments/exchange,
// the same template as the no-JavaScript page) and keeps the conversation in sessionStorage, so it
// survives Back and reload in this tab and is gone when the tab closes. Nothing is kept on the server.
(function () {
  "use strict";
  var KEY = "patient-quote-bot:conversation";
  var form = document.getElementById("ask-form");
  var box = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var status = document.getElementById("status");
  var conversation = document.getElementById("conversation");
  var newForm = document.getElementById("new-form");
  var newButton = document.getElementById("new-button");
  var examples = document.getElementById("examples");
  if (!form || !conversation || !window.fetch) return;
  var maxHistory = parseInt(form.getAttribute("data-max-history"), 10) || 0;
  var exchanges = []; // [{question, html}], oldest first

  document.getElementById("enter-hint").hidden = false; // true only when this script handles Enter

  function load() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(KEY) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) {
      return []; // storage blocked or damaged: start afresh
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(exchanges));
    } catch (e) {
      // storage full or blocked: the conversation still works, it just will not survive a reload
    }
  }

  // The HTML comes from our own server, rendered by Jinja with escaping on: typed text stays text.
  function insert(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var node = template.content.firstElementChild;
    conversation.appendChild(node);
    return node;
  }

  function refresh() {
    newButton.hidden = exchanges.length === 0;
    examples.hidden = exchanges.length > 0;
  }

  function clearError() {
    var old = document.getElementById("error");
    if (old) old.remove();
  }

  function showError(message) {
    clearError();
    var p = document.createElement("p");
    p.className = "error";
    p.id = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    form.parentNode.insertBefore(p, form);
  }

  function failure(response) {
    var fallback = "Something went wrong on the server (" + response.status + "). Please try again in a moment.";
    return response.json().then(
      function (body) { throw new Error((body && body.error) || fallback); },
      function () { throw new Error(fallback); }
    );
  }

  function ask(question) {
    if (button.disabled) { return; }  // Enter while an answer is on its way would send the question twice
    clearError();
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Searching the articles\u2026";
    var history = maxHistory ? exchanges.map(function (x) { return x.question; }).slice(-maxHistory) : [];
    fetch("/fragments/exchange", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/html" },
      body: JSON.stringify({ question: question, history: history })
    })
      .then(
        function (response) { return response.ok ? response.text() : failure(response); },
        function () {
          throw new Error("Could not reach the server. Please check your connection and try again; your question is still in the box.");
        }
      )
      .then(function (html) {
        var node = insert(html);
        exchanges.push({ question: question, html: html });
        save();
        refresh();
        box.value = "";
        status.textContent = node.querySelector(".abstain") ? "No answer found in the articles." : "Answer ready.";
        node.scrollIntoView({ block: "nearest" });
      })
      .catch(function (error) {
        showError(error.message);
        status.textContent = "";
      })
      .finally(function () {
        button.disabled = false;
        form.removeAttribute("aria-busy");
        box.focus();
      });
  }

  // A conversation the server rendered (the form was posted before this script ran) is adopted;
  // otherwise the one this tab kept is shown again.
  var rendered = conversation.querySelectorAll(".exchange");
  if (rendered.length) {
    exchanges = Array.prototype.map.call(rendered, function (node) {
      return { question: node.getAttribute("data-question"), html: node.outerHTML };
    });
    save();
  } else {
    exchanges = load().filter(function (x) { return x && typeof x.html === "string"; });
    exchanges.forEach(function (x) { insert(x.html); });
  }
  refresh();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(box.value);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(box.value);
    }
  });
  newForm.addEventListener("submit", function (event) {
    event.preventDefault();
    exchanges = [];
    save();
    conversation.textContent = "";
    clearError();
    refresh();
    status.textContent = "New conversation started.";
    box.focus();
  });
  Array.prototype.forEach.call(document.querySelectorAll("form.example"), function (example) {
    example.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = example.querySelector("input[name=question]").value;
      box.value = question;
      ask(question);
    });
  });
})();
