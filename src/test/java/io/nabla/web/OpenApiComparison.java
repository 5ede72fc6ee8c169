package io.nabla.web;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Compares two OpenAPI documents on what clients rely on: the paths, the methods of each path, the path parameters,
 * request body media types and response status codes of each operation, the schema each response and request body
 * refers to, and the component schemas with their property names and required properties. Descriptions, examples and
 * ordering are not compared. Every difference is reported with where it is and what each side has.
 */
final class OpenApiComparison {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");

    private final List<String> differences = new ArrayList<>();
    private JsonNode expectedDoc;
    private JsonNode actualDoc;

    static List<String> differences(JsonNode expected, JsonNode actual) {
        OpenApiComparison c = new OpenApiComparison();
        c.expectedDoc = expected;
        c.actualDoc = actual;
        c.compare(expected, actual);
        return c.differences;
    }

    /** Follows a {@code $ref} to a shared response, parameter or request body of the same document. */
    private static JsonNode resolve(JsonNode node, JsonNode doc) {
        JsonNode ref = node.get("$ref");
        if (ref == null || !ref.stringValue().startsWith("#/components/")
                || ref.stringValue().startsWith("#/components/schemas/")) {
            return node;
        }
        JsonNode target = doc;
        for (String part : ref.stringValue().substring(2).split("/")) {
            target = target.path(part);
        }
        return target;
    }

    private void compare(JsonNode expected, JsonNode actual) {
        JsonNode ep = expected.path("paths");
        JsonNode ap = actual.path("paths");
        same("paths", names(ep), names(ap));
        for (String path : names(ep)) {
            if (!ap.has(path)) {
                continue;
            }
            Set<String> em = methods(ep.get(path));
            same(path + " methods", em, methods(ap.get(path)));
            for (String m : em) {
                if (ap.get(path).has(m)) {
                    operation(path + " " + m.toUpperCase(), ep.get(path).get(m), ap.get(path).get(m));
                }
            }
        }
        JsonNode es = expected.path("components").path("schemas");
        JsonNode as = actual.path("components").path("schemas");
        same("component schemas", names(es), names(as));
        for (String s : names(es)) {
            if (as.has(s)) {
                same("schema " + s + " properties", names(es.get(s).path("properties")),
                        names(as.get(s).path("properties")));
                same("schema " + s + " required", values(es.get(s).path("required")),
                        values(as.get(s).path("required")));
            }
        }
    }

    private void operation(String where, JsonNode e, JsonNode a) {
        same(where + " path parameters", params(e, expectedDoc), params(a, actualDoc));
        JsonNode eb = resolve(e.path("requestBody"), expectedDoc).path("content");
        JsonNode ab = resolve(a.path("requestBody"), actualDoc).path("content");
        same(where + " request body media types", names(eb), names(ab));
        for (String media : names(eb)) {
            same(where + " request body " + media + " schema", Set.of(schemaRef(eb.path(media))),
                    Set.of(schemaRef(ab.path(media))));
        }
        same(where + " responses", names(e.path("responses")), names(a.path("responses")));
        for (String status : names(e.path("responses"))) {
            JsonNode ec = resolve(e.path("responses").path(status), expectedDoc).path("content");
            JsonNode ac = resolve(a.path("responses").path(status), actualDoc).path("content");
            same(where + " " + status + " media types", names(ec), names(ac));
            for (String media : names(ec)) {
                same(where + " " + status + " " + media + " schema", Set.of(schemaRef(ec.path(media))),
                        Set.of(schemaRef(ac.path(media))));
            }
        }
    }

    /** The referenced schema name, {@code array of X}, or the inline type. */
    private static String schemaRef(JsonNode media) {
        JsonNode s = media.path("schema");
        if (s.has("$ref")) {
            return s.get("$ref").stringValue().replace("#/components/schemas/", "");
        }
        if (s.has("items")) {
            return "array of " + schemaRef(s.get("items").isObject() ? wrap(s.get("items")) : s);
        }
        return s.path("type").asString("none") + (s.has("format") ? " (" + s.get("format").stringValue() + ")" : "");
    }

    private static JsonNode wrap(JsonNode schema) {
        return Http.JSON.createObjectNode().set("schema", schema);
    }

    private static Set<String> params(JsonNode op, JsonNode doc) {
        Set<String> out = new TreeSet<>();
        for (JsonNode ref : op.path("parameters")) {
            JsonNode p = resolve(ref, doc);
            out.add(p.path("in").asString("") + ":" + p.path("name").asString(""));
        }
        return out;
    }

    private static Set<String> methods(JsonNode pathItem) {
        Set<String> out = new TreeSet<>();
        for (String k : names(pathItem)) {
            if (METHODS.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    private static Set<String> names(JsonNode node) {
        Set<String> out = new TreeSet<>();
        if (node != null && node.isObject()) {
            for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
                out.add(it.next());
            }
        }
        return out;
    }

    private static Set<String> values(JsonNode array) {
        Set<String> out = new TreeSet<>();
        for (JsonNode v : array) {
            out.add(v.asString());
        }
        return out;
    }

    private void same(String what, Set<String> expected, Set<String> actual) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        Set<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            differences.add(what + ": openapi/nabla.yaml has " + expected + ", the server has " + actual
                    + (missing.isEmpty() ? "" : "; only in the file: " + missing)
                    + (extra.isEmpty() ? "" : "; only on the server: " + extra));
        }
    }
}
