// The desk's form: show the evidence statements of the chosen competency and level.
(function () {
  var data = JSON.parse(document.getElementById("statements").textContent);
  var select = document.getElementById("competency");
  function show() {
    var parts = select.value.split("/");
    var level = document.querySelector("input[name=level]:checked").value;
    var texts = ((data[parts[0]] || {})[parts[1]] || {})[level] || [];
    document.getElementById("statement").textContent = texts.join(" ");
  }
  select.addEventListener("change", show);
  document.querySelectorAll("input[name=level]").forEach(function (r) { r.addEventListener("change", show); });
  show();
})();
