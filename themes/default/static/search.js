/* yunzhao search: loaded by site.js only when a reader focuses a search box (or opens the
   search page with a query). It reads the static index written by generator/search.py; the
   token expression, stop words and stemmer below mirror that module exactly, because a query
   must be cut into terms the way the pages were. Every URL is resolved relative to the index,
   so the site works under any sub-path, and nothing is asked of any other host. Every file of
   the index is named by the hash of its content and listed in meta.json (itself so named): a
   page kept in a cache for days reads the index it was made with, never a newer one. */
(function () {
  "use strict";
  if (window.yunzhaoSearch) return;

  var CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var TOKEN = new RegExp("([" + CJK + "]+)|([0-9a-z\u00c0-\u024f]+)", "g");
  var EN_STOP = set("a an and are as at be by for from has in is it its of on or that the this to " +
                    "was were will with");
  var SPELLING_WORDS = {aluminium: "aluminum", sulphur: "sulfur", tyre: "tire", programme: "program",
                        storey: "story", grey: "gray", kerb: "curb", cheque: "check"};
  var SPELLING_ENDINGS = [["isation", "ization"], ["ising", "izing"], ["ised", "ized"], ["ise", "ize"],
                          ["ysing", "yzing"], ["ysed", "yzed"], ["yse", "yze"], ["ogue", "og"],
                          ["tring", "tering"], ["tred", "tered"], ["tre", "ter"],
                          ["ouring", "oring"], ["oured", "ored"], ["our", "or"]];
  var KINDS = ["project", "park", "page"];
  var LONGEST_WORD = 8;          // characters tried when cutting a Chinese query into words
  var PREFIX_BUDGET = 160000;    // bytes of shards one prefix expansion may download
  var PAGE = 10;                 // results shown per group before "more"

  function set(words) {
    var out = Object.create(null);
    words.split(" ").forEach(function (w) { out[w] = true; });
    return out;
  }

  function ends(word, suffix) {
    return word.length >= suffix.length && word.slice(-suffix.length) === suffix;
  }

  // The same light stemmer as generator/search.py `stem`.
  function stem(word) {
    if (word.length <= 3 || !/^[a-z\u00c0-\u024f]+$/.test(word)) return word;
    if (ends(word, "ies") && word.length > 4) word = word.slice(0, -3) + "y";
    else if (ends(word, "sses")) word = word.slice(0, -2);
    else if (ends(word, "xes") || ends(word, "ches") || ends(word, "shes") || ends(word, "zes")) word = word.slice(0, -2);
    else if (ends(word, "s") && !ends(word, "ss") && !ends(word, "us") && !ends(word, "is")) word = word.slice(0, -1);
    if (Object.prototype.hasOwnProperty.call(SPELLING_WORDS, word)) word = SPELLING_WORDS[word];
    for (var i = 0; i < SPELLING_ENDINGS.length; i++) {
      var british = SPELLING_ENDINGS[i][0];
      if (ends(word, british) && word.length >= british.length + 3) {
        word = word.slice(0, -british.length) + SPELLING_ENDINGS[i][1];
        break;
      }
    }
    if (ends(word, "ied") && word.length > 4) {
      word = word.slice(0, -3) + "y";
    } else {
      var suffixes = ["ing", "ed"];
      for (var j = 0; j < suffixes.length; j++) {
        var base = word.slice(0, -suffixes[j].length);
        if (ends(word, suffixes[j]) && base.length >= 3 && /[aeiouy]/.test(base)) {
          word = base;
          var last = word.charAt(word.length - 1);
          if (word.length > 3 && last === word.charAt(word.length - 2) && "aeioulsz".indexOf(last) < 0) {
            word = word.slice(0, -1);
          }
          break;
        }
      }
    }
    if (ends(word, "e") && word.length >= 4) word = word.slice(0, -1);
    return word;
  }

  function startsWith(text, prefix) {
    return text.slice(0, prefix.length) === prefix;
  }

  function fetchJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
  }

  // One language's index: meta.json, then shards and chunks on demand, each fetched once, by
  // the names meta.json lists (t/<hash>.json, d/<hash>.json, f/<facet>/<value>.<hash>.json).
  function Index(metaUrl) {
    this.url = metaUrl;
    this.shards = {};
    this.chunks = {};
    this.facets = {};
    var self = this;
    this.ready = fetchJSON(metaUrl).then(function (meta) {
      self.meta = meta;
      self.t2s = {};
      for (var i = 0; i + 1 < meta.t2s.length; i += 2) self.t2s[meta.t2s.charAt(i)] = meta.t2s.charAt(i + 1);
      return self;
    });
  }

  Index.prototype.file = function (path) {
    return new URL(path, this.url).href;
  };

  Index.prototype.simplify = function (text) {
    var t2s = this.t2s, out = "";
    for (var i = 0; i < text.length; i++) out += t2s[text.charAt(i)] || text.charAt(i);
    return out;
  };

  // The shard a term falls in: the last whose first term is not after it.
  Index.prototype.shardOf = function (term) {
    var keys = this.meta.keys, lo = 0, hi = keys.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (keys[mid] <= term) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  };

  Index.prototype.shard = function (n) {
    if (!this.shards[n]) this.shards[n] = fetchJSON(this.file("t/" + this.meta.files.t[n] + ".json"));
    return this.shards[n];
  };

  Index.prototype.lookup = function (term) {
    if (!this.meta.keys.length) return Promise.resolve(null);
    return this.shard(this.shardOf(term)).then(function (shard) {
      return Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : null;
    });
  };

  // Every term that starts with `prefix` → its postings, within a download budget.
  Index.prototype.prefix = function (prefix) {
    var keys = this.meta.keys, sizes = this.meta.sizes;
    if (!keys.length) return Promise.resolve({});
    var first = this.shardOf(prefix), wanted = [], spent = 0;
    for (var n = first; n < keys.length && (n === first || startsWith(keys[n], prefix)); n++) {
      spent += sizes[n];
      if (n > first && spent > PREFIX_BUDGET) break;
      wanted.push(n);
    }
    var self = this;
    return Promise.all(wanted.map(function (n) { return self.shard(n); })).then(function (shards) {
      var found = {};
      shards.forEach(function (shard) {
        for (var term in shard) if (startsWith(term, prefix)) found[term] = shard[term];
      });
      return found;
    });
  };

  Index.prototype.facet = function (name, value) {
    var key = name + "/" + value, names = this.meta.files.f[name] || {};
    if (!Object.prototype.hasOwnProperty.call(names, value)) return Promise.resolve({});   // no such value
    if (!this.facets[key]) {
      var path = "f/" + encodeURIComponent(name) + "/" + encodeURIComponent(value) + "." + names[value] + ".json";
      this.facets[key] = fetchJSON(this.file(path))
        .then(function (deltas) {
          var ids = {}, doc = 0;
          deltas.forEach(function (d) { doc += d; ids[doc] = 0; });
          return ids;
        });
    }
    return this.facets[key];
  };

  Index.prototype.docs = function (ids) {
    var size = this.meta.chunk, self = this, wanted = {};
    ids.forEach(function (id) { wanted[Math.floor(id / size)] = true; });
    return Promise.all(Object.keys(wanted).map(function (n) {
      if (!self.chunks[n]) self.chunks[n] = fetchJSON(self.file("d/" + self.meta.files.d[n] + ".json"));
      return self.chunks[n];
    })).then(function () {
      return Promise.all(ids.map(function (id) {
        return self.chunks[Math.floor(id / size)].then(function (chunk) { return chunk[id % size]; });
      }));
    });
  };

  Index.prototype.kindOf = function (id) {
    var counts = this.meta.kinds, start = 0;
    for (var k = 0; k < counts.length; k++) {
      if (id < start + counts[k]) return KINDS[k];
      start += counts[k];
    }
    return "page";
  };

  // postings [doc, weight, doc-delta, weight, ...] → {doc: weight}
  function decode(postings, into, factor) {
    into = into || {};
    var doc = 0;
    for (var i = 0; i + 1 < postings.length; i += 2) {
      doc += postings[i];
      var score = postings[i + 1] * (factor || 1);
      if (!(into[doc] >= score)) into[doc] = score;
    }
    return into;
  }

  function fromPrefix(found, prefix) {
    var out = {};
    for (var term in found) decode(found[term], out, term === prefix ? 1 : 0.7);
    return out;
  }

  // A Chinese run of the query → word scores, cut by longest match against the index's own
  // words (which jieba made); the run the reader is still typing matches as a prefix.
  function cutChinese(index, run, typing) {
    var parts = [];
    function step(i) {
      if (i >= run.length) return Promise.resolve(parts);
      var rest = run.slice(i);
      var tryPrefix = typing ? index.prefix(rest) : Promise.resolve({});
      return tryPrefix.then(function (found) {
        if (Object.keys(found).length) { parts.push(fromPrefix(found, rest)); return parts; }
        return longest(Math.min(rest.length, LONGEST_WORD));
      });
      function longest(length) {
        if (length < 2) {
          // No word starts here: take every word that starts with this character.
          return index.prefix(rest.charAt(0)).then(function (found) {
            parts.push(fromPrefix(found, rest.charAt(0)));
            return step(i + 1);
          });
        }
        return index.lookup(rest.slice(0, length)).then(function (postings) {
          if (postings) { parts.push(decode(postings)); return step(i + length); }
          return longest(length - 1);
        });
      }
    }
    return step(0);
  }

  function englishWord(index, word, typing) {
    var term = stem(word);
    return index.lookup(term).then(function (postings) {
      if (postings) return decode(postings);
      if (!typing) return {};
      return index.prefix(term).then(function (found) { return fromPrefix(found, term); });
    });
  }

  function intersect(maps) {
    if (!maps.length) return null;
    maps.sort(function (a, b) { return Object.keys(a).length - Object.keys(b).length; });
    var out = {};
    for (var doc in maps[0]) {
      var score = maps[0][doc], ok = true;
      for (var i = 1; i < maps.length && ok; i++) {
        if (doc in maps[i]) score += maps[i][doc]; else ok = false;
      }
      if (ok) out[doc] = score;
    }
    return out;
  }

  // query text + {sector, park, status} → {project: [ids], park: [...], page: [...], total}
  function search(index, text, filters) {
    return index.ready.then(function () {
      var query = text.normalize("NFKC").toLowerCase(), jobs = [], match;
      TOKEN.lastIndex = 0;
      while ((match = TOKEN.exec(query))) {
        var typing = match.index + match[0].length === query.length;
        if (match[1]) jobs.push(cutChinese(index, index.simplify(match[1]), typing));
        else if (match[2].length > 1 && !EN_STOP[match[2]]) jobs.push(englishWord(index, match[2], typing).then(function (m) { return [m]; }));
      }
      Object.keys(filters).forEach(function (name) {
        if (filters[name]) jobs.push(index.facet(name, filters[name]).then(function (m) { return [m]; }));
      });
      return Promise.all(jobs);
    }).then(function (lists) {
      var maps = [].concat.apply([], lists);
      var scores = intersect(maps) || {};
      var ids = Object.keys(scores).map(Number);
      ids.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
      var groups = {project: [], park: [], page: [], total: ids.length};
      ids.forEach(function (id) { groups[index.kindOf(id)].push(id); });
      return groups;
    });
  }

  // The search page ---------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function format(template, n) {
    return template.replace("{n}", n);
  }

  function Page(root, index) {
    this.root = root;
    this.index = index;
    this.form = root.querySelector("[data-search-form]");
    this.input = this.form.elements.q;
    this.status = root.querySelector("[data-search-status]");
    this.results = root.querySelector("[data-search-results]");
    this.strings = JSON.parse(root.querySelector("[data-search-strings]").textContent);
    this.langRoot = new URL("../", index.url);      // meta.json is in <lang>/search/
    this.serial = 0;
  }

  Page.prototype.filters = function () {
    var out = {}, elements = this.form.elements;
    ["sector", "park", "status"].forEach(function (name) { if (elements[name]) out[name] = elements[name].value; });
    return out;
  };

  Page.prototype.remember = function () {
    var params = new URLSearchParams(), filters = this.filters();
    if (this.input.value.trim()) params.set("q", this.input.value.trim());
    Object.keys(filters).forEach(function (name) { if (filters[name]) params.set(name, filters[name]); });
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  };

  Page.prototype.run = function () {
    var self = this, serial = ++this.serial, filters = this.filters();
    var text = this.input.value, anything = text.trim() || filters.sector || filters.park || filters.status;
    this.remember();
    if (!anything) {
      this.results.textContent = "";
      this.status.textContent = "";
      return Promise.resolve();
    }
    this.root.setAttribute("aria-busy", "true");
    return search(this.index, text, filters).then(function (groups) {
      if (serial !== self.serial) return;       // a newer query has started
      self.results.textContent = "";
      self.status.textContent = groups.total ? format(self.strings.count, groups.total) : self.strings.none;
      return Promise.all(KINDS.filter(function (kind) { return groups[kind].length; }).map(function (kind) {
        var section = element("section", "search-group");
        section.setAttribute("data-kind", kind);
        var heading = element("h2", "", self.strings.kinds[kind] + " ");
        heading.appendChild(element("span", "chip-count", String(groups[kind].length)));
        var list = element("ul", "cards search-hits");
        section.appendChild(heading);
        section.appendChild(list);
        self.results.appendChild(section);
        return self.more(section, list, groups[kind], kind, serial);
      }));
    }).catch(function (error) {
      if (serial !== self.serial) return;
      self.status.textContent = self.strings.error;
      if (window.console) console.error(error);
    }).then(function () {
      if (serial === self.serial) self.root.removeAttribute("aria-busy");
    });
  };

  Page.prototype.more = function (section, list, ids, kind, serial) {
    var self = this, shown = list.children.length, next = ids.slice(shown, shown + PAGE);
    return this.index.docs(next).then(function (records) {
      if (serial !== self.serial) return;
      records.forEach(function (record, i) { list.appendChild(self.hit(record, kind, next[i])); });
      var button = section.querySelector("button");
      if (list.children.length < ids.length) {
        if (!button) {
          button = element("button", "button button-quiet", self.strings.more);
          button.type = "button";
          button.addEventListener("click", function () { self.more(section, list, ids, kind, self.serial); });
          section.appendChild(button);
        }
      } else if (button) {
        button.remove();
      }
    });
  };

  Page.prototype.hit = function (record, kind, id) {
    var meta = this.index.meta, strings = this.strings;
    var item = element("li", "card search-hit " + kind + "-card");
    item.setAttribute("data-id", record.u);
    var link = element("a", "card-link");
    link.href = new URL(record.u, this.langRoot).href;
    var title = element("h3", "card-title", record.t);
    if (record.l) title.lang = record.l;
    link.appendChild(title);
    item.appendChild(link);
    if (record.f) {
      var figure = element("p", "card-amount");
      figure.appendChild(element("span", "figure-number", record.f));
      item.appendChild(figure);
    }
    var facts = element("p", "card-meta");
    if (kind === "project") {
      var status = meta.status[record.x] || ["", ""];
      facts.appendChild(element("span", "tag status-" + status[0], status[1]));
      facts.appendChild(document.createTextNode(" "));
      facts.appendChild(element("span", "", meta.sectors[record.c]));
      if (record.r !== undefined) {
        facts.appendChild(document.createTextNode(" · "));
        facts.appendChild(element("span", "", meta.parks[record.r]));
      }
    } else if (record.m) {
      facts.appendChild(element("span", "", record.m));
    }
    if (facts.childNodes.length) item.appendChild(facts);
    if (record.s) item.appendChild(element("p", "card-summary", record.s));
    return item;
  };

  Page.prototype.start = function () {
    var self = this, timer = null;
    var params = new URLSearchParams(location.search);
    if (params.get("q")) this.input.value = params.get("q");
    ["sector", "park", "status"].forEach(function (name) {
      if (params.get(name) && self.form.elements[name]) self.form.elements[name].value = params.get(name);
    });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.run(); });
    this.form.addEventListener("change", function () { self.run(); });
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.run(); }, 150);
    });
    return this.run();
  };

  var indexes = {};
  function open(metaUrl) {
    var url = new URL(metaUrl, document.baseURI).href;
    if (!indexes[url]) indexes[url] = new Index(url);
    return indexes[url];
  }

  window.yunzhaoSearch = {stem: stem, open: open, search: search};

  // Start: the index of this page's language is named by the search box.
  var box = document.querySelector("[data-search-meta]");
  if (!box) return;
  var index = open(box.getAttribute("data-search-meta"));
  var root = document.querySelector("[data-search-page]");
  if (root) {
    window.yunzhaoSearch.page = new Page(root, index);
    window.yunzhaoSearch.ready = window.yunzhaoSearch.page.start();
  } else {
    window.yunzhaoSearch.ready = index.ready;
  }
})();
