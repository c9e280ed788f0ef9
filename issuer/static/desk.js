// The desk's pages (no inline script: CSP script-src 'self').
// Completion form: each row offers the levels of its competency's model only; under it, the
// level statements of the chosen competency and level (or that it has none, so the credential
// cites the competency alone), and how long the competency stays valid by default.
// Cohort upload: follow the job's progress until it is done.
(function () {
  // A form shown again with problems (or likely duplicates): start reading at the list.
  var problems = document.getElementById("problems") || document.getElementById("duplicates");
  if (problems) {
    problems.setAttribute("tabindex", "-1");
    problems.focus();
  }

  var source = document.getElementById("statements");
  if (source) {
    var data = JSON.parse(source.textContent);
    var without = new Set(data.withoutStatements);
    document.querySelectorAll("fieldset.completion-row").forEach(function (row) {
      var competency = row.querySelector("select[name=competency]");
      var level = row.querySelector("select[name=level]");
      var statement = document.getElementById(competency.dataset.statement);
      var validity = document.getElementById(competency.dataset.validity);
      var allLevels = level.cloneNode(true);  // every model's levels, for no competency yet
      var shownModel = null;
      // Offer only the chosen competency's model's levels, in its framework's order,
      // keeping the chosen level when that model has it.
      function offerLevels(model) {
        if (model === shownModel) { return; }
        shownModel = model;
        var chosen = level.value;
        level.replaceChildren(new Option("Choose a level", "", false, !chosen));
        if (data.levels[model]) {
          data.levels[model].forEach(function (known) {
            level.add(new Option(known.label, known.id, false, known.id === chosen));
          });
        } else {
          Array.prototype.forEach.call(allLevels.children, function (child) {
            if (child.value !== "") { level.appendChild(child.cloneNode(true)); }
          });
          level.value = chosen;
        }
      }
      function show() {
        var parts = competency.value.split("/");
        offerLevels(competency.value ? parts[0] : null);
        var texts = ((data.statements[parts[0]] || {})[parts[1]] || {})[level.value] || [];
        var label = level.selectedOptions.length ? level.selectedOptions[0].text : "";
        statement.textContent = !competency.value || !level.value || texts.length
          ? texts.join(" ")
          : without.has(competency.value)
            ? "No level statements are crosswalked to this competency: the credential " +
              "cites the competency alone."
            : "No " + label + " statement is crosswalked to this competency: at this level " +
              "the credential cites the competency alone.";
        var years = data.validFor[competency.value];
        validity.textContent = !competency.value ? "Leave empty for the competency's default."
          : years ? "Leave empty and it expires " + years + " after completion."
          : "Leave empty and it does not expire.";
      }
      competency.addEventListener("change", show);
      level.addEventListener("change", show);
      show();
    });
  }

  var job = document.getElementById("job");
  if (job && job.dataset.status !== "done") {
    var bar = document.getElementById("job-progress");
    var done = document.getElementById("job-done");
    var status = document.getElementById("job-status");
    var timer = setInterval(function () {
      fetch(job.dataset.progress, {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (counts) {
          if (!counts) { return; }
          bar.value = counts.issued + counts.failed;
          done.textContent = String(counts.issued + counts.failed);
          if (counts.status === "done") {
            clearInterval(timer);
            window.location.reload();
          } else {
            status.textContent = "Issuing: " + counts.issued + " issued, " + counts.pending +
              " to go" + (counts.failed ? ", " + counts.failed + " failed." : ".");
          }
        })
        .catch(function () { /* the next tick tries again */ });
    }, 1500);
  }
})();
