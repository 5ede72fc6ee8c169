package io.nabla.web;

import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * Checks the multipart body of an upload (a model version, a dataset) before its controller reads it, for what a
 * controller cannot see once Spring has bound the parts:
 * <ul>
 * <li>a part sent twice: Spring binds the first {@code spec} (or {@code weights}, {@code file}) and silently drops
 * the other, so the client cannot know which one was stored;</li>
 * <li>for a model, a spec whose JSON nests deeper than {@code nabla.limits.max-json-depth} (the model layer parses it
 * with Jackson's default limit of 500, which is not the limit the API promises) or repeats a field (Jackson keeps
 * the last value without a word, so {@code "seed"} twice would silently pick one).</li>
 * </ul>
 * Each refusal is a 400 naming the part or field and the limit, as inference requests are answered.
 */
@Component
class UploadCheck implements HandlerInterceptor, WebMvcConfigurer {

    private static final String MODELS = "/v2/repository/models/*";
    private static final String DATASETS = "/v1/datasets";

    private final int maxDepth;
    private final JsonFactory json;

    UploadCheck(NablaProperties properties) {
        this.maxDepth = properties.limits().maxJsonDepth();
        this.json = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxDepth).build()).build();
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns(MODELS, DATASETS);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException, ServletException {
        String type = request.getContentType();
        if (!"POST".equals(request.getMethod()) || type == null
                || !type.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.MULTIPART_FORM_DATA_VALUE)) {
            return true; // not an upload: the controller answers (405, 415) as usual
        }
        Map<String, Part> byName = new HashMap<>();
        for (Part part : request.getParts()) {
            String name = part.getName() == null ? "" : part.getName();
            if (byName.putIfAbsent(name, part) != null) {
                throw InferenceException.invalid("multipart part '" + JsonData.clip(name)
                        + "' appears twice; send it once");
            }
        }
        Part spec = byName.get("spec");
        if (spec != null && !request.getRequestURI().startsWith("/v1/")) {
            checkSpec(spec);
        }
        return true;
    }

    /** Reads the spec's JSON as a stream (nothing is kept) checking its depth and that no field repeats. */
    private void checkSpec(Part spec) {
        JsonParser p = null;
        try (InputStream in = spec.getInputStream();
                JsonParser parser = json.createParser(ObjectReadContext.empty(), in)) {
            p = parser;
            Deque<Set<String>> objects = new ArrayDeque<>();
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> objects.push(new HashSet<>());
                    case END_OBJECT -> objects.pop();
                    case PROPERTY_NAME -> {
                        if (!objects.peek().add(p.currentName())) {
                            String where = JsonErrors.path(p.streamReadContext().getParent());
                            throw InferenceException.invalid("model spec: field '" + JsonData.clip(p.currentName())
                                    + "' appears twice in " + (where.isEmpty() ? "the spec" : where));
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (JacksonException e) {
            throw InferenceException.invalid("model spec (part 'spec'): " + JsonErrors.describe(e, maxDepth, p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: the connection failed or ended before"
                    + " the body was complete", e);
        }
    }
}
