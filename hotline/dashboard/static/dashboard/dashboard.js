// The leaders' dashboard: the period picker, the charts drawn with the vendored ECharts from the
// JSON the page embeds (#dashboard-data), the map with its drill-down, and the wall screen's
// full-screen button. Every figure is also in a table on the page, so nothing is lost without it.
(function () {
  "use strict";

  // --- the period picker: a choice submits at once; a custom range waits for its two days ---
  var form = document.getElementById("dash-period-form");
  if (form) {
    var dates = form.querySelectorAll("input[type=date]");
    var sync = function () {
      var chosen = form.querySelector("input[name=period]:checked");
      var custom = !!chosen && chosen.value === "custom";
      form.classList.toggle("dash-custom", custom);
      dates.forEach(function (input) { input.disabled = !custom; });
      return custom;
    };
    form.classList.add("dash-js");
    sync();
    form.addEventListener("change", function (event) {
      if (event.target.name !== "period") return;
      if (sync()) {
        if (dates.length) dates[0].focus();
      } else {
        form.submit();
      }
    });
  }

  // --- the wall screen's full-screen button (the Fullscreen API) ---
  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    if (!document.fullscreenEnabled) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen();
      }
    });
  });

  var dataNode = document.getElementById("dashboard-data");
  if (!dataNode || typeof window.echarts === "undefined") return;
  var echarts = window.echarts;
  var data = JSON.parse(dataNode.textContent);
  var wall = document.body.classList.contains("dash-wall-body");
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var look = wall
    ? { text: "#c9d6e6", muted: "#8195ad", grid: "#1d3a63", line: "#ffd666", area: "rgba(255,214,102,.18)",
        bar: ["#ff8a65", "#e0463f"], map: ["#1f4778", "#c0392b", "#ffd666"], border: "#4d6a92",
        empty: "#0f2240", font: 14 }
    : { text: "#343a40", muted: "#6c757d", grid: "#eef0f2", line: "#b3211e", area: "rgba(179,33,30,.12)",
        bar: ["#e0796f", "#b3211e"], map: ["#fbe3e1", "#e0796f", "#8c1917"], border: "#ffffff",
        empty: "#f1f3f5", font: 12 };
  var charts = [];

  function chartOf(name) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) return null;
    var chart = echarts.init(element, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function openOnClick(chart, urlOf) {
    chart.on("click", function (params) {
      var url = urlOf(params);
      if (url) window.location.href = url;
    });
  }

  var tooltip = { trigger: "axis", confine: true, textStyle: { fontSize: look.font } };
  var axisText = { color: look.muted, fontSize: look.font };

  // --- requests per day or month ---
  var trend = chartOf("trend");
  if (trend) {
    var daily = data.trend.by === "day";
    trend.setOption({
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: tooltip,
      xAxis: {
        type: "category",
        boundaryGap: false,
        data: data.trend.labels.map(function (label) { return daily ? label.slice(5) : label; }),
        axisLabel: axisText,
        axisLine: { lineStyle: { color: look.grid } },
      },
      yAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: axisText,
        splitLine: { lineStyle: { color: look.grid } },
      },
      series: [{
        name: data.text.requests,
        type: "line",
        smooth: 0.3,
        smoothMonotone: "x",
        symbol: data.trend.values.length > 40 ? "none" : "circle",
        symbolSize: 6,
        data: data.trend.values,
        lineStyle: { width: wall ? 3 : 2, color: look.line },
        itemStyle: { color: look.line },
        areaStyle: { color: look.area },
      }],
    });
  }

  // --- horizontal bars, largest on top ---
  function bars(chart, labels, values, urls) {
    var order = labels.map(function (_label, index) { return index; }).reverse();
    chart.setOption({
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: axisText, splitLine: { lineStyle: { color: look.grid } } },
      yAxis: {
        type: "category",
        data: order.map(function (index) { return labels[index]; }),
        axisLabel: {
          color: look.text, fontSize: look.font, interval: 0, width: narrow ? 96 : 150, overflow: "truncate",
        },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: look.grid } },
      },
      series: [{
        name: data.text.requests,
        type: "bar",
        barMaxWidth: 22,
        data: order.map(function (index) {
          return { value: values[index], url: urls ? urls[index] : "" };
        }),
        label: { show: true, position: "right", color: look.text, fontSize: look.font },
        itemStyle: {
          borderRadius: [0, 3, 3, 0],
          color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [
            { offset: 0, color: look.bar[0] }, { offset: 1, color: look.bar[1] },
          ]),
        },
      }],
    });
    if (urls) openOnClick(chart, function (params) { return params.data && params.data.url; });
  }

  var categories = chartOf("categories");
  if (categories) bars(categories, data.categories.labels, data.categories.values, null);
  var units = chartOf("units");
  if (units) bars(units, data.units.labels, data.units.values, data.units.urls);

  // --- the map: the province's prefectures, or a prefecture's counties ---
  var mapElement = document.querySelector('[data-chart="map"]');
  if (mapElement && data.map) {
    var map = chartOf("map");
    map.showLoading({ text: "", color: look.line, maskColor: "rgba(0,0,0,0)" });
    fetch(mapElement.dataset.geo, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("map " + response.status);
        return response.json();
      })
      .then(function (geo) { drawMap(map, geo); })
      .catch(function (error) {
        map.hideLoading();
        mapElement.textContent = error.message;
        mapElement.classList.add("app-empty");
      });
  }

  function drawMap(chart, geo) {
    var regions = data.map.regions;
    var features = geo.features.filter(function (feature) {
      return data.map.level === "prefecture" || feature.properties.parent === data.map.parent;
    });
    var name = "qinghai-" + data.map.level + "-" + data.map.parent;
    echarts.registerMap(name, { type: "FeatureCollection", features: features });
    var most = 0;
    var rows = features.map(function (feature) {
      // One shape may cover several divisions (茫崖市 and 大柴旦行委): their requests add up.
      var codes = feature.properties.divisions || [feature.properties.adcode];
      var cases = 0;
      var url = "";
      codes.forEach(function (code) {
        var region = regions[code];
        if (!region) return;
        cases += region.cases;
        url = url || region.url;
      });
      most = Math.max(most, cases);
      return { name: feature.properties.name, value: cases, url: url, codes: codes };
    });
    chart.hideLoading();
    chart.setOption({
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (params) {
          var value = params.data ? params.data.value : 0;
          return params.name + "<br>" + data.text.requests + ": <b>" + value + "</b>";
        },
      },
      visualMap: {
        type: "continuous",
        show: !narrow,
        min: 0,
        max: Math.max(most, 1),
        calculable: false,
        text: [String(most), "0"],
        orient: "vertical",
        left: 8,
        bottom: 8,
        itemHeight: narrow ? 80 : 120,
        textStyle: { color: look.muted, fontSize: look.font },
        inRange: { color: look.map },
      },
      series: [{
        type: "map",
        map: name,
        roam: false,
        selectedMode: false,
        layoutCenter: ["50%", "50%"],
        layoutSize: "96%",
        data: rows,
        itemStyle: { borderColor: look.border, borderWidth: 1, areaColor: look.empty },
        label: {
          show: !narrow || data.map.level === "prefecture",
          color: wall ? "#ffffff" : "#212529",
          fontSize: data.map.level === "prefecture" ? look.font : look.font - 2,
          textBorderColor: wall ? "#081426" : "#ffffff",
          textBorderWidth: 2,
        },
        emphasis: {
          label: { show: true, color: wall ? "#ffffff" : "#212529" },
          itemStyle: { areaColor: wall ? "#ffd666" : "#f6c344", borderColor: look.border },
        },
      }],
    });
    openOnClick(chart, function (params) { return params.data && params.data.url; });
  }

  var resizing = null;
  function resize() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 100);
  }
  window.addEventListener("resize", resize);
  document.addEventListener("fullscreenchange", resize);
})();
