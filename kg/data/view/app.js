// The kg network view. All data comes from the JSON in #kg-data and reaches the
// DOM through textContent only (never innerHTML), so labels and article text
// can contain anything.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var UI = D.ui, STYLE = D.style;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function both(key) { var s = UI[key]; return s ? s.ar + " · " + s.en : key; }
  function safeHref(h) { return typeof h === "string" && /^https?:\/\//i.test(h) ? h : null; }

  // ---- search normalization: the table of kg/text.py, then its key rules
  var NORM = D.norm;
  var TOKEN = /[\p{L}\p{N}]+(?:[.'\u2019][\p{L}\p{N}]+)*/gu;
  function normText(s) {
    var out = "";
    for (var ch of s) { var r = NORM[ch]; out += (r === undefined ? ch : r); }
    return out.toLowerCase();
  }
  function tokenKey(w) { return (w.startsWith("\u0627\u0644") && w.length - 2 > 2) ? w.slice(2) : w; }
  function normalizeKey(s) { return (normText(s).match(TOKEN) || []).map(tokenKey).join(" "); }
  function skeleton(k) {
    return k.split(" ").map(function (w) {
      return w.length > 3 ? w[0] + w.slice(1, -1).replace(/[\u0627\u064A]/g, "") + w[w.length - 1] : w;
    }).join(" ");
  }

  // ---- nodes and edges for vis
  var N = D.nodes;
  var SYM = { dot: "\u25CF", square: "\u25A0", triangle: "\u25B2", diamond: "\u25C6", star: "\u2605" };
  var maxPr = 0;
  N.forEach(function (n) { if (n.pr > maxPr) maxPr = n.pr; });
  function nodeLabel(n) {
    if (n.kind === "Event") return n.ar + (n.date ? "\n" + n.date : "");
    var ar = n.ar || n.en || n.iri;
    return n.en && n.ar ? ar + "\n" + n.en : ar;
  }
  function title(n) { return n.ar || n.en || n.iri; }
  function baseColor(n) { var c = STYLE[n.kind].color; return { background: c, border: c }; }
  var visNodes = N.map(function (n, i) {
    var st = STYLE[n.kind];
    var size = n.kind === "Event" ? 7 : 8 + 18 * Math.sqrt(maxPr ? n.pr / maxPr : 0);
    return { id: i, label: nodeLabel(n), x: n.x, y: n.y, shape: st.shape, size: size,
             color: baseColor(n), font: { color: "#1f2933" } };
  });
  var REL = D.relations;
  var edgeLabels = D.meta.edgeLabels;
  var visEdges = [];
  var layers = ["event", "folded", "role"];
  layers.forEach(function (layer) {
    D.edges[layer].forEach(function (row, j) {
      var rel = REL[row[2]] || [row[2], row[2]];
      var e = { id: layer + ":" + j, from: row[0], to: row[1], layer: layer, rel: row[2], w: row[3],
                det: row[4], width: 1 + Math.log2(row[3]) };
      if (edgeLabels) e.label = rel[0];
      if (layer === "role") e.dashes = [6, 4];
      visEdges.push(e);
    });
  });

  // ---- filters
  var state = { events: D.meta.mode === "events", types: {}, evtypes: {}, from: "", to: "", undated: true };
  ["Person", "Organization", "Place"].forEach(function (t) { state.types[t] = true; });
  D.eventTypes.forEach(function (t) { state.evtypes[t[0]] = true; });

  function padDate(d, hi) {
    // "2021" → 2021-01-01 / 2021-12-31; "2021-03" → 2021-03-01 / 2021-03-31
    if (!/^\d{4}/.test(d)) return null;
    var parts = d.split("-");
    return parts[0] + "-" + (parts[1] || (hi ? "12" : "01")) + "-" + (parts[2] || (hi ? "31" : "01"));
  }
  function eventPasses(n) {
    if (!state.evtypes[n.cls]) return false;
    if (!state.from && !state.to) return true;
    var lo = n.date && padDate(n.date, false), hi = n.date && padDate(n.date, true);
    if (!lo) return state.undated;
    if (state.from && hi < padDate(state.from, false)) return false;
    if (state.to && lo > padDate(state.to, true)) return false;
    return true;
  }
  function nodeVisible(v) {
    var n = N[v.id];
    if (n.kind === "Event") return state.events && eventPasses(n);
    return !!state.types[n.kind];
  }
  function edgeVisible(e) {
    if (e.layer === "event" && !state.events) return false;
    if (e.layer === "folded") {
      if (state.events) return false;
      if (!e.det.some(function (k) { return eventPasses(N[D.events[k].node]); })) return false;
    }
    return nodeVisible({ id: e.from }) && nodeVisible({ id: e.to });
  }

  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var big = visEdges.length > 4000;
  var network = new vis.Network($("net"), { nodes: nodeView, edges: edgeView }, {
    physics: false,
    layout: { improvedLayout: false },
    interaction: { hover: !big, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 3600000 },
    nodes: { font: { face: "DejaVu Sans", size: 14, strokeWidth: 3, strokeColor: "#ffffff" }, borderWidth: 1 },
    edges: { smooth: false, color: { color: "#9aa5b1", highlight: "#3e4c59", hover: "#52606d", opacity: 0.7 },
             font: { face: "DejaVu Sans", size: 10, strokeWidth: 2, align: "middle" }, selectionWidth: 2 }
  });
  network.once("afterDrawing", function () {
    window.kgReady = performance.now();
    document.documentElement.setAttribute("data-ready", "1");
  });
  network.fit({ animation: false });

  function refresh() { nodeView.refresh(); edgeView.refresh(); clearHighlight(); }

  // ---- neighbourhood highlighting
  var dimmed = [];
  function clearHighlight() {
    if (!dimmed.length) return;
    nodes.update(dimmed.map(function (i) { return { id: i, color: baseColor(N[i]), font: { color: "#1f2933" } }; }));
    dimmed = [];
  }
  function highlight(ids) {
    clearHighlight();
    var keep = new Set(ids);
    var faded = { background: "#e4e7eb", border: "#d5dbe1" };
    nodeView.getIds().forEach(function (i) { if (!keep.has(i)) dimmed.push(i); });
    nodes.update(dimmed.map(function (i) { return { id: i, color: faded, font: { color: "#c1c7cd" } }; }));
  }

  // ---- the side panel
  var details = $("details");
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function nodeButton(i) {
    var b = el("button", title(N[i]), "node");
    b.type = "button";
    b.addEventListener("click", function () { select(i); });
    return b;
  }
  function ref(r) {  // [index] of a drawn node, or [null, ar, en]
    if (r[0] !== null && r[0] !== undefined) return nodeButton(r[0]);
    return el("span", r[1] + (r[2] ? " (" + r[2] + ")" : ""));
  }
  function articleLink(k) {
    var a = D.articles[k];
    var href = safeHref(a[1]);
    var link = el(href ? "a" : "span", a[2] || a[0]);
    if (href) { link.href = href; link.target = "_blank"; link.rel = "noopener noreferrer"; }
    var s = el("span", null, "src");
    s.appendChild(document.createTextNode("— "));
    s.appendChild(link);
    if (a[3]) s.appendChild(document.createTextNode(" " + a[3]));
    return s;
  }
  function section(key, items, more) {
    if (!items.length) return;
    details.appendChild(el("h3", both(key)));
    var ul = el("ul");
    items.forEach(function (li) { ul.appendChild(li); });
    details.appendChild(ul);
    if (more > 0) details.appendChild(el("p", "… +" + more + " " + both("more"), "hint"));
  }
  function sentenceItems(list) {
    return list.map(function (k) {
      var s = D.sentences[k];
      var li = el("li");
      li.appendChild(el("span", s[0], "sentence"));
      if (s[1] !== null) li.appendChild(articleLink(s[1]));
      return li;
    });
  }
  function relText(key) { var r = REL[key] || [key, key]; return r[0] + " · " + r[1]; }
  function roleItem(r, side) {
    var li = el("li");
    if (side === "holder") { li.appendChild(ref(r.member)); li.appendChild(document.createTextNode(" — ")); }
    li.appendChild(el("span", r.ar + " · " + r.en));
    li.appendChild(document.createTextNode(" — "));
    li.appendChild(ref(r.of));
    if (r.host) { li.appendChild(document.createTextNode(" / ")); li.appendChild(ref(r.host)); }
    r.a.forEach(function (k) { li.appendChild(articleLink(k)); });
    if (r.s.length) {
      var ul = el("ul");
      sentenceItems(r.s).forEach(function (x) { ul.appendChild(x); });
      li.appendChild(ul);
    }
    return li;
  }
  function eventItem(k, skip) {
    var ev = D.events[k], n = N[ev.node];
    var li = el("li");
    var b = nodeButton(ev.node);
    b.textContent = (n.date ? n.date + " " : "") + n.ar + " · " + n.en + (n.planned ? " (" + both("planned") + ")" : "");
    li.appendChild(b);
    ev.actors.forEach(function (a) {
      if (a[0] === skip) return;
      li.appendChild(document.createTextNode(a[1] === "place" ? " @ " : " · "));
      li.appendChild(nodeButton(a[0]));
    });
    return li;
  }
  function header(n) {
    details.appendChild(el("h2", title(n)));
    if (n.en && n.ar) details.appendChild(el("div", n.en, "en"));
    var st = STYLE[n.kind];
    var meta = el("div", st.ar + " · " + st.en + (n.cls && n.cls !== n.kind ? " (" + n.cls + ")" : ""), "hint");
    details.appendChild(meta);
    if (n.wd) {
      var a = el("a", n.wd);
      a.href = "https://www.wikidata.org/wiki/" + encodeURIComponent(n.wd);
      a.target = "_blank"; a.rel = "noopener noreferrer";
      details.appendChild(a);
    }
    details.appendChild(el("div", both("articles") + ": " + n.n, "hint"));
  }
  var eventsOf = {}, rolesOf = {}, holdersOf = {}, quotesOf = {};
  D.events.forEach(function (ev, k) {
    ev.actors.forEach(function (a) { (eventsOf[a[0]] = eventsOf[a[0]] || []).push(k); });
  });
  D.roles.forEach(function (r, k) {
    if (r.member[0] !== null) (rolesOf[r.member[0]] = rolesOf[r.member[0]] || []).push(k);
    if (r.of[0] !== null) (holdersOf[r.of[0]] = holdersOf[r.of[0]] || []).push(k);
  });
  D.quotes.forEach(function (q, k) { (quotesOf[q.speaker] = quotesOf[q.speaker] || []).push(k); });
  function byDate(a, b) {
    var da = N[D.events[a].node].date || "", db = N[D.events[b].node].date || "";
    return da < db ? -1 : da > db ? 1 : a - b;
  }

  function showNode(i) {
    var n = N[i];
    clear(details);
    header(n);
    if (n.kind === "Event") {
      var ev = D.events[n.e];
      if (n.date) details.appendChild(el("div", n.date + (n.planned ? " (" + both("planned") + ")" : "")));
      section("participants", ev.actors.map(function (a) {
        var li = el("li");
        li.appendChild(nodeButton(a[0]));
        li.appendChild(el("span", " " + relText(a[1]), "hint"));
        return li;
      }));
      section("articles", n.a.map(function (k) { var li = el("li"); li.appendChild(articleLink(k)); return li; }));
    } else {
      section("roles", (rolesOf[i] || []).map(function (k) { return roleItem(D.roles[k], "member"); }));
      section("holders", (holdersOf[i] || []).map(function (k) { return roleItem(D.roles[k], "holder"); }));
      section("events", (eventsOf[i] || []).slice().sort(byDate).map(function (k) { return eventItem(k, i); }));
      section("quotes", (quotesOf[i] || []).map(function (k) {
        var q = D.quotes[k], li = el("li");
        li.appendChild(el("span", q.text, "quote"));
        if (q.cue) li.appendChild(el("span", " " + q.cue, "hint"));
        if (q.a !== null) li.appendChild(articleLink(q.a));
        return li;
      }), (n.qn || 0) - (quotesOf[i] || []).length);
    }
    section("sentences", sentenceItems(n.s), n.sn - n.s.length);
  }

  function showEdge(id) {
    var e = edges.get(id);
    if (!e) return;
    clear(details);
    details.appendChild(el("h2", relText(e.rel)));
    var p = el("div");
    p.appendChild(nodeButton(e.from));
    p.appendChild(document.createTextNode(" — "));
    p.appendChild(nodeButton(e.to));
    details.appendChild(p);
    details.appendChild(el("div", both("weight") + ": " + e.w, "hint"));
    if (e.layer === "folded") {
      section("events", e.det.slice().sort(byDate).map(function (k) { return eventItem(k, null); }));
      var sents = [];
      e.det.forEach(function (k) { N[D.events[k].node].s.forEach(function (s) { if (sents.indexOf(s) < 0) sents.push(s); }); });
      section("sentences", sentenceItems(sents));
    } else if (e.layer === "role") {
      section("roles", e.det.map(function (k) { return roleItem(D.roles[k], "holder"); }));
    } else {
      var n = N[e.from];
      section("events", [eventItem(n.e, null)]);
      section("sentences", sentenceItems(n.s));
    }
  }

  function select(i) {
    if (!nodeView.get(i)) {  // hidden by a filter: show what is needed to see it
      if (N[i].kind === "Event") { state.events = true; $("mode").checked = true; state.evtypes[N[i].cls] = true; }
      else state.types[N[i].kind] = true;
      syncChecks(); refresh();
    }
    network.selectNodes([i]);
    network.focus(i, { scale: Math.max(network.getScale(), 1.2), animation: false });
    highlight([i].concat(network.getConnectedNodes(i)));
    showNode(i);
  }

  network.on("click", function (p) {
    if (p.nodes.length) {
      var i = p.nodes[0];
      highlight([i].concat(network.getConnectedNodes(i)));
      showNode(i);
    } else if (p.edges.length) {
      clearHighlight();
      showEdge(p.edges[0]);
    } else {
      clearHighlight();
    }
  });

  // ---- search
  var results = $("results"), q = $("q");
  function search(text) {
    var key = normalizeKey(text);
    if (!key) return [];
    var skel = skeleton(key);
    var hits = [];
    N.forEach(function (n, i) {
      if (n.kind === "Event") return;
      var keys = n.k.split("\n");
      var score = 0;
      keys.forEach(function (k) {
        if (k === key || k === skel) score = Math.max(score, 3);
        else if (k.startsWith(key) || k.startsWith(skel)) score = Math.max(score, 2);
        else if (k.indexOf(key) >= 0 || k.indexOf(skel) >= 0) score = Math.max(score, 1);
      });
      if (score) hits.push([score, n.n, i]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1] || a[2] - b[2]; });
    return hits.slice(0, 25).map(function (h) { return h[2]; });
  }
  function showResults() {
    clear(results);
    var hits = search(q.value);
    if (!q.value.trim()) { results.hidden = true; return; }
    if (!hits.length) results.appendChild(el("li", both("no_match"), "empty"));
    hits.forEach(function (i) {
      var n = N[i];
      var li = el("li", title(n) + (n.en && n.ar ? " · " + n.en : ""));
      li.setAttribute("data-node", String(i));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); results.hidden = true; select(i); });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  q.addEventListener("input", showResults);
  q.addEventListener("focus", showResults);
  q.addEventListener("blur", function () { results.hidden = true; });
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = results.querySelector("li[data-node]");
      if (first) { results.hidden = true; select(Number(first.getAttribute("data-node"))); }
    } else if (ev.key === "Escape") { results.hidden = true; }
  });

  // ---- controls
  $("q-label").textContent = both("search");
  q.placeholder = UI.search_hint.ar + " · " + UI.search_hint.en;
  $("mode-label").textContent = both("events_as_nodes");
  $("mode").checked = state.events;
  $("mode").addEventListener("change", function () { state.events = this.checked; refresh(); });
  $("dates-label").textContent = both("dates");
  $("from").title = both("from"); $("to").title = both("to");
  $("undated-label").textContent = both("undated");
  $("evtypes-label").textContent = both("event_types");
  var checks = {};
  function check(box, text, get, set) {
    var label = el("label"), input = el("input");
    input.type = "checkbox";
    input.checked = get();
    input.addEventListener("change", function () { set(this.checked); refresh(); });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    box.appendChild(label);
    return function () { input.checked = get(); };
  }
  var syncs = [];
  ["Person", "Organization", "Place"].forEach(function (t) {
    var st = STYLE[t];
    syncs.push(check($("types"), (SYM[st.shape] || "") + " " + st.ar + " · " + st.en,
      function () { return state.types[t]; }, function (v) { state.types[t] = v; }));
  });
  D.eventTypes.forEach(function (t) {
    syncs.push(check($("evtypes"), t[1] + " · " + t[2],
      function () { return state.evtypes[t[0]]; }, function (v) { state.evtypes[t[0]] = v; }));
  });
  function syncChecks() { syncs.forEach(function (f) { f(); }); }
  function dateInput(id, key) {
    $(id).addEventListener("change", function () {
      var v = this.value.trim();
      state[key] = /^\d{4}(-\d{2}(-\d{2})?)?$/.test(v) ? v : "";
      if (!state[key]) this.value = "";
      refresh();
    });
  }
  dateInput("from", "from"); dateInput("to", "to");
  $("undated").addEventListener("change", function () { state.undated = this.checked; refresh(); });

  if (D.meta.note) {
    $("note").textContent = D.meta.note.ar + " · " + D.meta.note.en;
    $("note").hidden = false;
  }
  details.appendChild(el("p", both("hint"), "hint"));

  // ---- legend
  var legend = $("legend");
  legend.appendChild(el("h3", both("legend")));
  ["Person", "Organization", "Place", "Event"].forEach(function (t) {
    var st = STYLE[t], row = el("div", null, "item"), sym = el("span", SYM[st.shape] || "\u25CF", "sym");
    sym.style.color = st.color;
    row.appendChild(sym);
    row.appendChild(el("span", st.ar + " · " + st.en));
    legend.appendChild(row);
  });
  [["\u2014", "folded"], ["- -", "role"]].forEach(function (x) {
    var row = el("div", null, "item");
    row.appendChild(el("span", x[0], "sym"));
    row.appendChild(el("span", x[1] === "role" ? both("roles") : both("events")));
    legend.appendChild(row);
  });

  window.kgView = { network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
                    data: D, search: search, normalizeKey: normalizeKey, skeleton: skeleton, select: select,
                    state: state, refresh: refresh };
})();
