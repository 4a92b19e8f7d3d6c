// The charts' own words (charts.js). Keys charts.*.

import { register } from "../i18n.js";

register({
  en: { "charts.empty": "Nothing to chart." },
  "zh-CN": { "charts.empty": "没有可绘制的数据。" },
});
