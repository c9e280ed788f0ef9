// The share page's "Copy link" button.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      document.getElementById("copied").textContent = "Link copied.";
    });
  });
});
