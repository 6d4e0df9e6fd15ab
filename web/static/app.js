// Progressive enhancement: without this file the form posts to the server and works the same.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  var box = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var status = document.getElementById("status");
  var conversation = document.getElementById("conversation");
  if (!form || !window.fetch) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text; // never innerHTML: user text stays text
    return node;
  }

  function sourceLink(quote) {
    var id = encodeURIComponent(quote.source.id);
    return "/sources/" + id + "?start=" + quote.start + "&end=" + quote.end + "#quote";
  }

  // Mirrors templates/_answer.html.
  function renderAnswer(answer) {
    var article = el("article", "answer");
    article.setAttribute("aria-label", "Answer");
    if (answer.notice) {
      var notice = el("div", "notice");
      notice.setAttribute("role", "alert");
      notice.appendChild(el("strong", null, "Please get help now."));
      notice.appendChild(document.createTextNode(" " + answer.notice));
      article.appendChild(notice);
    }
    if (answer.answered) {
      article.appendChild(el("p", "lead", "From the articles:"));
      answer.quotes.forEach(function (quote) {
        var figure = el("figure", "quote");
        var block = el("blockquote", null, quote.text);
        block.setAttribute("cite", "/sources/" + encodeURIComponent(quote.source.id));
        figure.appendChild(block);
        var caption = el("figcaption");
        var link = el("a", null, quote.source.title);
        link.href = sourceLink(quote);
        caption.appendChild(link);
        if (quote.source.publisher) caption.appendChild(document.createTextNode(", " + quote.source.publisher));
        if (quote.source.date) {
          caption.appendChild(document.createTextNode(", "));
          var time = el("time", null, quote.source.date);
          time.setAttribute("datetime", quote.source.date);
          caption.appendChild(time);
        }
        if (quote.page) caption.appendChild(document.createTextNode(", page " + quote.page));
        figure.appendChild(caption);
        article.appendChild(figure);
      });
    } else {
      article.appendChild(el("p", "abstain", answer.message));
    }
    article.appendChild(el("p", "disclaimer", answer.disclaimer));
    return article;
  }

  function addExchange(question) {
    var item = el("li", "exchange");
    var you = el("p", "you");
    you.appendChild(el("span", "who", "You asked:"));
    you.appendChild(document.createTextNode(" " + question));
    item.appendChild(you);
    conversation.appendChild(item);
    return item;
  }

  function ask(question) {
    question = question.trim();
    if (!question) {
      status.textContent = "Please type a question first.";
      box.focus();
      return;
    }
    var old = document.getElementById("error");
    if (old) old.remove();
    var item = addExchange(question);
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Searching the articles\u2026";
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ question: question })
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "Something went wrong (" + response.status + ").");
          return body;
        });
      })
      .then(function (answer) {
        item.appendChild(renderAnswer(answer));
        box.value = "";
        status.textContent = answer.answered ? "Answer ready." : "No answer found in the articles.";
      })
      .catch(function (error) {
        var message = el("p", "error", error.message || "Could not reach the server. Please try again.");
        message.setAttribute("role", "alert");
        item.appendChild(message);
        status.textContent = "";
      })
      .finally(function () {
        button.disabled = false;
        form.removeAttribute("aria-busy");
        item.scrollIntoView({ block: "nearest" });
        box.focus();
      });
  }

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
  Array.prototype.forEach.call(document.querySelectorAll("form.example"), function (example) {
    example.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = example.querySelector("input[name=question]").value;
      box.value = question;
      ask(question);
    });
  });
})();
