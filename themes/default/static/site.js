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

  // Search costs nothing until a reader focuses a search box: only then are search.js and the
  // index of this language loaded. The search page loads them at once when its URL asks a query.
  function lazySearch() {
    var holder = document.querySelector("[data-search-script]");
    if (!holder) return;
    var loaded = false;
    function load() {
      if (loaded) return;
      loaded = true;
      var script = document.createElement("script");
      script.src = holder.getAttribute("data-search-script");
      document.head.appendChild(script);
    }
    document.addEventListener("focusin", function (event) {
      var target = event.target;
      if (target.closest && target.closest("[data-site-search], [data-search-page]")) load();
    });
    var form = document.querySelector("[data-site-search]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var query = form.elements.q.value.trim();
        location.href = form.getAttribute("data-search-url") + (query ? "?q=" + encodeURIComponent(query) : "");
      });
    }
    // A query sent from the search page before search.js arrived: ask it again through the URL.
    var pageForm = document.querySelector("[data-search-page] [data-search-form]");
    if (pageForm) {
      pageForm.addEventListener("submit", function (event) {
        if (window.yunzhaoSearch) return;
        event.preventDefault();
        var params = new URLSearchParams();
        ["q", "sector", "park", "status"].forEach(function (name) {
          var field = pageForm.elements[name];
          if (field && field.value) params.set(name, field.value);
        });
        location.search = params.toString();
      });
    }
    if (document.querySelector("[data-search-page]") && location.search) load();
  }

  chooseLanguage();
  filterCatalogue();
  lazySearch();
})();
