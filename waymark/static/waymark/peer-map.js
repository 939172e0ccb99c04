// The peer map: people as nodes (colour = group; circle = young person, diamond = person of
// concern) and current links as lines (solid = confirmed, dashed = tentative, dotted =
// unconfirmed). The tables beside the map hold the same people and links, so the page works
// without this script; the map stays hidden until it is drawn.
(function () {
  "use strict";
  var holder = document.getElementById("peer-map");
  var source = document.getElementById("peer-map-data");
  if (!holder || !source || typeof cytoscape === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.nodes.length) { return; }
  holder.hidden = false;
  // Cytoscape adds an inline <style> (its container's position: relative) unless an element
  // with this id exists. The Content-Security-Policy refuses inline styles, and waymark.css
  // already sets that rule, so a marker stands in for it.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }

  var elements = [];
  data.nodes.forEach(function (n) {
    elements.push({
      group: "nodes",
      data: { id: n.id, label: n.label, colour: n.colour, url: n.url },
      classes: n.kind + (n.focus ? " focus" : "")
    });
  });
  data.links.forEach(function (l) {
    elements.push({
      group: "edges",
      data: { id: l.id, source: l.source, target: l.target, label: l.label },
      classes: l.style
    });
  });

  var cy = cytoscape({
    container: holder,
    elements: elements,
    // The page scrolls with the wheel; the map pans by dragging.
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    style: [
      { selector: "node", style: {
        "shape": "ellipse", "width": 18, "height": 18,
        "background-color": "data(colour)", "border-width": 1, "border-color": "#0b0c0c",
        "label": "data(label)", "font-size": 10, "color": "#0b0c0c", "min-zoomed-font-size": 7,
        "text-valign": "bottom", "text-margin-y": 3,
        "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1
      } },
      { selector: "node.person_of_concern", style: { "shape": "diamond", "width": 24, "height": 24 } },
      { selector: "node.focus", style: { "border-width": 4, "width": 28, "height": 28 } },
      { selector: "edge", style: { "width": 2, "line-color": "#505a5f", "curve-style": "bezier" } },
      { selector: "edge.dashed", style: { "line-style": "dashed" } },
      { selector: "edge.dotted", style: { "line-style": "dotted", "width": 2.5 } },
      { selector: "edge.undisclosed", style: { "line-color": "#b1b4b6" } }
    ],
    layout: {
      name: "cose", animate: false, padding: 24, randomize: true,
      idealEdgeLength: function () { return 90; },
      nodeRepulsion: function () { return 60000; },
      nodeOverlap: 20, gravity: 0.2, numIter: 2000
    }
  });
  cy.on("tap", "node", function (event) {
    var url = event.target.data("url");
    if (url) { window.location.href = url; }
  });
  window.waymarkPeerMap = cy;
})();
