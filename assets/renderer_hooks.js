/* Hooks of the Dash renderer: dashboard/app.py passes them to `new DashRenderer({...})`. */
window.shopBi = window.shopBi || {};

/* layout_pre (runs as the layout request leaves): plotly.js (4.8 MB) is fetched and evaluated while
   the server builds the layout, instead of after the first graph has been drawn into the page and
   asked for it. `window.Plotly` is a promise of it meanwhile, which dcc.Graph waits for instead of
   loading the script again. `src` is the fingerprinted URL (cached by the browser for a year). */
window.shopBi.preloadPlotly = function (src) {
    if (window.Plotly) { return; }
    var script = document.createElement("script");
    window.Plotly = new Promise(function (resolve, reject) {
        script.onload = function () { window.shopBi.skipSameSizeResize(window.Plotly); resolve(window.Plotly); };
        script.onerror = function (error) { delete window.Plotly; reject(error); };
    });
    script.async = true;
    script.src = src;
    // after the load event: a script added before it would hold the load event back until it ran
    if (document.readyState === "complete") { document.body.appendChild(script); }
    else { window.addEventListener("load", function () { document.body.appendChild(script); }); }
};

/* dcc.Graph asks Plotly to fit a graph to its box (Plots.resize) right after drawing it and again when
   its size detector starts, whatever the size; each is a relayout of the whole graph (30-100 ms for a
   tall chart). When the box has the size the graph was drawn at, there is nothing to do. */
window.shopBi.skipSameSizeResize = function (Plotly) {
    var resize = Plotly && Plotly.Plots && Plotly.Plots.resize;
    if (!resize || resize.skipsSameSize) { return; }
    Plotly.Plots.resize = function (gd) {
        var el = typeof gd === "string" ? document.getElementById(gd) : gd;
        var full = el && el._fullLayout;
        if (full && el.layout && !el._redrawTimer) {
            var style = window.getComputedStyle(el);
            if (Math.abs(full.width - parseFloat(style.width)) <= 1 && Math.abs(full.height - parseFloat(style.height)) <= 1) {
                return Promise.resolve(el);
            }
        }
        return resize.apply(this, arguments);
    };
    Plotly.Plots.resize.skipsSameSize = true;
};

/* layout_post: the server rendered the page of the URL its layout request came from (Referer); when
   that is not this page's URL (a stricter referrer policy), forget it, so dcc.Location reports the
   real URL on mount and the routing and filter-bar callbacks render the right page. */
window.shopBi.checkLayoutUrl = function (layout, locationId) {
    function find(node) {
        if (!node || typeof node !== "object") { return null; }
        if (Array.isArray(node)) {
            for (var i = 0; i < node.length; i++) { var hit = find(node[i]); if (hit) { return hit; } }
            return null;
        }
        var props = node.props || {};
        return props.id === locationId ? props : find(props.children);
    }
    var url = find(layout);
    if (url && (url.pathname !== window.location.pathname || (url.search || "") !== window.location.search)) {
        delete url.pathname;
        delete url.search;
    }
};
