// The affected-people table of the incident form (templates/incidents/_facts_form.html).
(function () {
  // Without JavaScript the three empty rows are there; with it, a row can be added at will.
  var button = document.getElementById("affected-add-row"), total = document.getElementById("id_affected-TOTAL_FORMS");
  var template = document.getElementById("affected-row-template"), body = document.querySelector("#affected-rows tbody");
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
    body.lastElementChild.querySelector("input").focus();
  });
})();
