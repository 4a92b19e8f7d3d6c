package problem

import (
	"net/http"
	"strconv"
	"strings"
)

// The problem's title, the one human-readable line a client shows, is
// written in the caller's language: Simplified Chinese when its
// Accept-Language prefers any zh over English, else English (the HTTP
// status text, as before). Code, type, status, detail and field reasons do
// not change with the language: clients branch on the code, and the detail
// names records and values a translation could garble.

// Languages the titles are written in.
const (
	LangEnglish = "en"
	LangChinese = "zh-CN"
)

// zhByCode are the Chinese titles of the stable codes (this package's, the
// chaincode's and the currency's); a code newer than the table falls back
// to its status's title.
var zhByCode = map[string]string{
	CodeInvalidArgument:      "请求无效",
	CodeUnauthenticated:      "未登录或令牌无效",
	CodeUnauthorized:         "账本不认可该企业",
	CodeForbidden:            "无权执行此操作",
	CodeNotHosted:            "本网关不托管该企业或服务",
	CodeReadOnly:             "本网关为只读",
	CodeBadSignature:         "签名与登记的证书不符",
	CodeNotFound:             "记录不存在",
	CodeMethodNotAllowed:     "不支持该请求方法",
	CodeConflict:             "记录已存在或已被使用",
	CodeInvalidState:         "记录当前状态不允许此操作",
	CodeInvoiceMismatch:      "发票与登记的不一致",
	CodeHeldForReview:        "疑似重复发票，等待买方复核",
	CodeLedgerConflict:       "账本并发冲突，请重试",
	CodeSelfCustody:          "该企业自行保管密钥，本网关仅转发",
	CodeReplayed:             "该签名请求已被转发过",
	CodeIdempotencyInFlight:  "相同幂等键的请求正在处理",
	CodePayloadTooLarge:      "请求体过大",
	CodeUnsupportedMedia:     "不支持的内容类型",
	CodeIdempotencyKeyReused: "幂等键已用于其他请求",
	CodeInvalidProof:         "证明验证失败",
	CodeRateLimited:          "请求过于频繁",
	CodeInternal:             "服务器内部错误",
	CodeLedgerRejected:       "账本拒绝了该交易",
	CodeNotCommitted:         "交易未能提交",
	CodeUnavailable:          "服务暂不可用",
	CodeTimeout:              "请求超时",
	CodeOutcomeUnknown:       "交易结果未知",
	"CURRENCY_MISMATCH":      "币种不一致",
}

// zhByStatus are the Chinese titles of HTTP statuses, for codes the table
// above does not know.
var zhByStatus = map[int]string{
	http.StatusBadRequest:            "请求无效",
	http.StatusUnauthorized:          "未登录",
	http.StatusForbidden:             "禁止访问",
	http.StatusNotFound:              "未找到",
	http.StatusMethodNotAllowed:      "不支持该请求方法",
	http.StatusConflict:              "冲突",
	http.StatusRequestEntityTooLarge: "请求体过大",
	http.StatusUnsupportedMediaType:  "不支持的内容类型",
	http.StatusUnprocessableEntity:   "无法处理的请求",
	http.StatusTooManyRequests:       "请求过于频繁",
	http.StatusInternalServerError:   "服务器内部错误",
	http.StatusBadGateway:            "上游错误",
	http.StatusServiceUnavailable:    "服务暂不可用",
	http.StatusGatewayTimeout:        "网关超时",
}

// Title is the title of a problem with code and status in lang.
func Title(code string, status int, lang string) string {
	if lang == LangChinese {
		if s, ok := zhByCode[code]; ok {
			return s
		}
		if s, ok := zhByStatus[status]; ok {
			return s
		}
	}
	return http.StatusText(status)
}

// Negotiate picks the titles' language from an Accept-Language header
// (RFC 9110 §12.5.4): the language range of highest weight that is zh
// (any region or script) or en; ties go to the first listed; "*" and other
// languages count for neither. Without a preference it is English.
func Negotiate(acceptLanguage string) string {
	best, bestQ := LangEnglish, -1.0
	parts := strings.Split(acceptLanguage, ",")
	if len(parts) > 32 {
		parts = parts[:32] // a header is bounded; a longer list says nothing more
	}
	for _, part := range parts {
		fields := strings.Split(strings.TrimSpace(part), ";")
		tag := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			f = strings.TrimSpace(f)
			if v, ok := strings.CutPrefix(f, "q="); ok {
				p, err := strconv.ParseFloat(v, 64)
				if err != nil || p < 0 || p > 1 {
					p = 0
				}
				q = p
			}
		}
		var lang string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			lang = LangChinese
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = LangEnglish
		default:
			continue
		}
		if q > 0 && q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// Localize writes p's title in the language the Accept-Language header
// asks for (an English title stays as it was set) and says so (Content-Language; Vary: Accept-Language, since the
// same request in another language gets another title).
func (p *Problem) Localize(acceptLanguage string) *Problem {
	lang := Negotiate(acceptLanguage)
	if lang == LangChinese {
		p.Title = Title(p.Code, p.Status, lang)
	}
	p.WithHeader("Content-Language", lang)
	if p.Header.Get("Vary") == "" {
		p.Header.Set("Vary", "Accept-Language")
	} else if !strings.Contains(p.Header.Get("Vary"), "Accept-Language") {
		p.Header.Set("Vary", p.Header.Get("Vary")+", Accept-Language")
	}
	return p
}
