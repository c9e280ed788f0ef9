// The desk's pages (no inline script: CSP script-src 'self').
// Completion form: under each competency row, the level statements of the chosen competency
// and level, and how long the competency stays valid by default.
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
    document.querySelectorAll("fieldset.completion-row").forEach(function (row) {
      var competency = row.querySelector("select[name=competency]");
      var level = row.querySelector("select[name=level]");
      var statement = document.getElementById(competency.dataset.statement);
      var validity = document.getElementById(competency.dataset.validity);
      function show() {
        var parts = competency.value.split("/");
        var texts = ((data.statements[parts[0]] || {})[parts[1]] || {})[level.value] || [];
        statement.textContent = texts.join(" ");
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
