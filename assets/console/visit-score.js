// The home-visit form's level, shown as answers are chosen. The server's
// "work out the level" and the recorded visit stay the judges (the same
// weighted sum, thresholds and emergency answers, from home-visit.yaml);
// this only spares a round trip, and without JavaScript nothing is lost.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("visit");
  var live = document.getElementById("visit-live");
  if (!form || !live) return;
  var yellowAt = Number(form.dataset.yellowAt), redAt = Number(form.dataset.redAt);
  var questions = form.querySelectorAll("fieldset.question").length;

  function update() {
    var economic = 0, social = 0, development = 0, answered = 0, emergency = false;
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      economic += Number(input.dataset.economic);
      social += Number(input.dataset.social);
      development += Number(input.dataset.development);
      if (input.dataset.emergency === "1") emergency = true;
      answered += 1;
    });
    if (answered === 0) return;
    var total = economic + social + development;
    var level = emergency || total >= redAt ? "red" : total >= yellowAt ? "yellow" : "green";
    var badge = live.querySelector(".badge");
    badge.className = "badge level-" + level;
    badge.textContent = live.dataset[level];
    live.className = "notice level-" + level;
    live.querySelector(".live-text").textContent = live.dataset.text
      .replace("{answered}", answered).replace("{questions}", questions).replace("{total}", total)
      .replace("{economic}", economic).replace("{social}", social).replace("{development}", development)
      + (emergency ? " " + live.dataset.emergency : "");
    live.hidden = false;
  }

  form.addEventListener("change", function (event) {
    // Only an answer moves the level (a text field's change comes as it loses focus, e.g. to a click on a button).
    if (event.target.type !== "radio") return;
    // The server's preview described the answers as they were; the live line takes over.
    var preview = document.getElementById("visit-preview");
    if (preview) preview.remove();
    update();
  });
  if (!document.getElementById("visit-preview")) update();
});
