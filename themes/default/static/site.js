/* yunzhao default theme: small enhancements; every page works without this file. */
(function () {
  "use strict";

  // The root page sends a visitor to their language; without JS it shows plain links.
  function chooseLanguage() {
    var body = document.body;
    if (!body.classList.contains("page-root")) return;
    var links = document.querySelectorAll("a[data-lang]");
    var wanted = (navigator.languages || [navigator.language || ""]).map(function (l) { return l.toLowerCase(); });
    for (var i = 0; i < wanted.length; i++) {
      var w = wanted[i];
      var traditional = /^zh-(hant|tw|hk|mo)/.test(w);
      for (var j = 0; j < links.length; j++) {
        var code = links[j].getAttribute("data-lang").toLowerCase();
        if (code === w || (traditional && code === "zh-hant") ||
            (!traditional && code === w.split("-")[0] && code !== "zh-hant")) {
          location.replace(links[j].href);
          return;
        }
      }
    }
  }

  // Catalogue filters combine instantly; the URL keeps them so a filtered list can be shared.
  function filterCatalogue() {
    var form = document.querySelector("[data-filters]");
    var list = document.querySelector("[data-list]");
    if (!form || !list) return;
    form.hidden = false;
    var items = list.children;
    var count = document.querySelector("[data-count]");
    var empty = document.querySelector("[data-empty]");
    var params = new URLSearchParams(location.search);
    ["sector", "park", "status", "range"].forEach(function (name) {
      if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
    });

    function apply() {
      var sector = form.elements.sector.value, park = form.elements.park.value;
      var status = form.elements.status.value, range = form.elements.range.value.split("-");
      var low = range[0] ? Number(range[0]) : null, high = range[1] ? Number(range[1]) : null;
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var d = items[i].dataset, amount = d.amount ? Number(d.amount) : null;
        var ok = (!sector || d.sector === sector) && (!park || d.park === park) &&
          (!status || d.status === status) &&
          (low === null || (amount !== null && amount >= low)) &&
          (high === null || (amount !== null && amount < high));
        items[i].hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown;
      empty.hidden = shown > 0;
      var query = new URLSearchParams();
      ["sector", "park", "status", "range"].forEach(function (name) {
        if (form.elements[name].value) query.set(name, form.elements[name].value);
      });
      var search = query.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    apply();
  }

  chooseLanguage();
  filterCatalogue();
})();
