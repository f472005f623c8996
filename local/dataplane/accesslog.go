package dataplane

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// contextRef finds $context variables in an access-log format.
var contextRef = regexp.MustCompile(`\$context\.[A-Za-z0-9_.-]*[A-Za-z0-9_-]`)

// accessLog writes the request's line: the stage's access-log format
// rendered, or our JSON line when the stage has none.
func (s *Server) accessLog(req *request, rec *statusRecorder, latency time.Duration) {
	if s.cfg.AccessLog == nil {
		s.cfg.Logger.Info("access", "requestId", req.id, "apiId", req.apiID, "stage", req.stage,
			"httpMethod", req.Method, "path", req.path, "status", rec.status, "latencyMs", latency.Milliseconds())
		return
	}
	var line string
	if req.st != nil && req.st.AccessLogSettings != nil && aws.ToString(req.st.AccessLogSettings.Format) != "" {
		line = renderAccessLog(aws.ToString(req.st.AccessLogSettings.Format), func(name string) string {
			return s.contextVar(req, &logState{rec: rec, latency: latency}, name)
		})
	} else {
		b, _ := json.Marshal(map[string]any{
			"requestId": req.id, "apiId": req.apiID, "stage": req.stage, "httpMethod": req.Method,
			"path": req.path, "status": rec.status, "latencyMs": latency.Milliseconds(),
		})
		line = string(b)
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = fmt.Fprintln(s.cfg.AccessLog, line)
}

// renderAccessLog substitutes each $context variable. In a JSON format
// (one that starts with "{") values are escaped so the line stays JSON.
func renderAccessLog(format string, value func(name string) string) string {
	isJSON := strings.HasPrefix(strings.TrimSpace(format), "{")
	line := contextRef.ReplaceAllStringFunc(format, func(ref string) string {
		v := value(strings.TrimPrefix(ref, "$context."))
		if isJSON {
			b, _ := json.Marshal(v)
			v = string(b[1 : len(b)-1])
		}
		return v
	})
	// A log line is one line, whatever the format or values hold.
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(line)
}

// logState is what only the finished response knows.
type logState struct {
	rec     *statusRecorder
	latency time.Duration
}

// contextVar is a $context variable of the request, by AWS's name; "-"
// when unknown or empty, as AWS logs it. done is nil while the request is
// still being served (REQUEST authorizers' context.* identity sources).
func (s *Server) contextVar(req *request, done *logState, name string) string {
	v := s.contextValue(req, done, name)
	if v == "" {
		return "-"
	}
	return v
}

func (s *Server) contextValue(req *request, done *logState, name string) string {
	ms := func(d time.Duration) string {
		if d < 0 {
			return ""
		}
		return strconv.FormatInt(d.Milliseconds(), 10)
	}
	switch name {
	case "requestId", "awsEndpointRequestId":
		return req.id
	case "extendedRequestId":
		return req.id[:16]
	case "apiId":
		return req.apiID
	case "stage":
		return req.stage
	case "accountId":
		return accountID
	case "domainName":
		return req.Host
	case "domainPrefix":
		return domainPrefix(req.Host)
	case "deploymentId":
		if req.st != nil {
			return aws.ToString(req.st.DeploymentId)
		}
	case "httpMethod":
		return req.Method
	case "path":
		return req.contextPath
	case "resourcePath":
		if req.res != nil {
			return req.res.path
		}
	case "resourceId":
		if req.res != nil {
			return req.res.id
		}
	case "protocol":
		return req.Proto
	case "requestTime":
		return req.start.UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "requestTimeEpoch":
		return strconv.FormatInt(req.start.UnixMilli(), 10)
	case "identity.sourceIp":
		return sourceIP(req)
	case "identity.userAgent":
		return req.UserAgent()
	case "identity.apiKey":
		return req.apiKey
	case "identity.apiKeyId":
		return req.keyID
	case "identity.accessKey":
		return req.accessKey
	case "identity.accountId":
		if req.accessKey != "" {
			return accountID
		}
	case "error.message":
		return req.errMsg
	case "error.messageString":
		if req.errMsg != "" {
			return strconv.Quote(req.errMsg)
		}
	case "error.responseType":
		return req.errType
	case "integrationErrorMessage", "integration.error":
		return req.integErr
	case "integrationLatency", "integration.latency":
		return ms(req.integLat)
	case "integrationStatus", "integration.integrationStatus", "integration.status":
		if req.integState != 0 {
			return strconv.Itoa(req.integState)
		}
	case "authorizer.principalId":
		if req.auth != nil {
			return req.auth.principalID
		}
	case "authorizer.integrationLatency", "authorizer.latency":
		if req.auth != nil && req.auth.claims == nil {
			return ms(req.auth.latency)
		}
	}
	if done != nil {
		switch name {
		case "status":
			return strconv.Itoa(done.rec.status)
		case "responseLength":
			return strconv.Itoa(done.rec.length)
		case "responseLatency":
			return ms(done.latency)
		}
	}
	if req.auth != nil {
		if k, ok := strings.CutPrefix(name, "authorizer.claims."); ok {
			return req.auth.claims[k]
		}
		if k, ok := strings.CutPrefix(name, "authorizer."); ok {
			return req.auth.context[k]
		}
	}
	return ""
}
