// The notice editor's live preview: unsaved text rendered by the server for the chosen channel, an
// e-mail in a sandboxed frame and a text message as text.
document.querySelectorAll(".element-form").forEach(function (form) {
  var frame = form.querySelector(".live-preview"), text = form.querySelector(".live-preview-text");
  var select = form.querySelector(".preview-channel"), timer = null;
  function show(type, body) {
    var html = type.indexOf("text/html") === 0;
    frame.hidden = !html;
    text.hidden = html;
    if (html) { frame.srcdoc = body; } else { text.textContent = body; }
  }
  function refresh() {
    var data = new FormData(form);
    data.append("channel", select.value);
    fetch(form.dataset.preview, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (response) {
        return response.text().then(function (body) { show(response.headers.get("Content-Type") || "", body); });
      });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  select.addEventListener("change", refresh);
  refresh();
});
