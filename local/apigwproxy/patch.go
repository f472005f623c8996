package apigwproxy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// patchOp is one of API Gateway's JSON-Patch-like update operations.
type patchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value,omitempty"`
	From  *string `json:"from,omitempty"`
}

// fieldKind says how a patched value is stored: API Gateway sends every
// value as a string, but reads return numbers, booleans, maps and lists.
type fieldKind int

const (
	kString  fieldKind = iota
	kInt               // "/timeoutInMillis" "5000" -> 5000
	kBool              // "/apiKeyRequired" "true" -> true
	kStrMap            // "/requestTemplates/application~1json" -> map entry
	kBoolMap           // "/requestParameters/method.request.path.id" "true" -> map entry true
	kList              // "/cacheKeyParameters/<item>" -> list element
)

// shape lists the patchable top-level fields of one resource type, from
// AWS's documented patch paths; any other path is rejected like AWS does.
type shape map[string]fieldKind

var (
	integrationShape = shape{
		"type": kString, "uri": kString, "httpMethod": kString, "credentials": kString,
		"passthroughBehavior": kString, "contentHandling": kString, "connectionType": kString,
		"connectionId": kString, "cacheNamespace": kString, "timeoutInMillis": kInt,
		"requestParameters": kStrMap, "requestTemplates": kStrMap, "cacheKeyParameters": kList,
		"tlsConfig": kBoolMap, // only /tlsConfig/insecureSkipVerification
	}
	integrationResponseShape = shape{
		"selectionPattern": kString, "contentHandling": kString,
		"responseParameters": kStrMap, "responseTemplates": kStrMap,
	}
	methodShape = shape{
		"authorizationType": kString, "authorizerId": kString, "apiKeyRequired": kBool,
		"operationName": kString, "requestValidatorId": kString,
		"requestParameters": kBoolMap, "requestModels": kStrMap, "authorizationScopes": kList,
	}
	methodResponseShape = shape{"responseParameters": kBoolMap, "responseModels": kStrMap}
	modelShape          = shape{"schema": kString, "description": kString}
	gatewayRespShape    = shape{"statusCode": kString, "responseParameters": kStrMap, "responseTemplates": kStrMap}
)

// applyPatch applies ops to doc (a resource as moto returns it) in order.
func applyPatch(doc map[string]any, ops []patchOp, s shape) error {
	for _, op := range ops {
		if err := applyOne(doc, op, s); err != nil {
			return err
		}
	}
	return nil
}

func applyOne(doc map[string]any, op patchOp, s shape) error {
	if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
		return fmt.Errorf("patch op %q on %s is not supported by the local stack (add, replace, remove are)", op.Op, op.Path)
	}
	segs := strings.SplitN(strings.TrimPrefix(op.Path, "/"), "/", 2)
	field := unescapePointer(segs[0])
	kind, ok := s[field]
	if !ok {
		return fmt.Errorf("invalid patch path %s", op.Path)
	}
	key := ""
	if len(segs) == 2 {
		key = unescapePointer(segs[1])
	}
	value := ""
	if op.Value != nil {
		value = *op.Value
	}
	// The provider clears requestValidatorId and operationName with a
	// replace that has no value.
	if key == "" && kind != kList && (op.Op == "remove" || op.Value == nil) {
		delete(doc, field)
		return nil
	}
	switch kind {
	case kString, kInt, kBool:
		if key != "" {
			return fmt.Errorf("invalid patch path %s", op.Path)
		}
		v, err := scalar(kind, value)
		if err != nil {
			return fmt.Errorf("patch %s: %w", op.Path, err)
		}
		doc[field] = v
	case kStrMap, kBoolMap:
		if key == "" {
			return fmt.Errorf("invalid patch path %s: name the map entry", op.Path)
		}
		m, _ := doc[field].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		if op.Op == "remove" {
			delete(m, key)
		} else {
			k := kString
			if kind == kBoolMap {
				k = kBool
			}
			v, err := scalar(k, value)
			if err != nil {
				return fmt.Errorf("patch %s: %w", op.Path, err)
			}
			m[key] = v
		}
		doc[field] = m
	case kList:
		// The element is named in the path (/cacheKeyParameters/x) or, for
		// /authorizationScopes, given as the value.
		elem := key
		if elem == "" {
			elem = value
		}
		var list []any
		if l, ok := doc[field].([]any); ok {
			list = l
		}
		i := slices.Index(list, any(elem))
		switch {
		case op.Op == "remove" && i >= 0:
			list = slices.Delete(list, i, i+1)
		case op.Op != "remove" && i < 0:
			list = append(list, elem)
		}
		doc[field] = list
	}
	return nil
}

func scalar(kind fieldKind, v string) (any, error) {
	switch kind {
	case kInt:
		return strconv.Atoi(v)
	case kBool:
		return strconv.ParseBool(v)
	}
	return v, nil
}

// unescapePointer undoes JSON Pointer escaping: "application~1json" is
// the "application/json" key.
func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
