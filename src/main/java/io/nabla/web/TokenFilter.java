package io.nabla.web;

import io.nabla.config.NablaProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * With {@code nabla.security.tokens} configured, every path except {@code /v2/health/live} and
 * {@code /v2/health/ready} needs {@code Authorization: Bearer <token>}; anything else is a 401. Tokens are compared
 * through their SHA-256 digests with {@link MessageDigest#isEqual}, against every configured token, so the time
 * taken reveals neither a token's length nor how much of it matched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class TokenFilter extends OncePerRequestFilter {

    private static final Set<String> OPEN_PATHS = Set.of("/v2/health/live", "/v2/health/ready");

    private final List<byte[]> digests;

    TokenFilter(NablaProperties properties) {
        for (String t : properties.security().tokens()) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("nabla.security.tokens must not contain blank tokens");
            }
        }
        this.digests = properties.security().tokens().stream().map(TokenFilter::digest).toList();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (digests.isEmpty() || isOpen(request)) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null) {
            reject(response, "missing Authorization header; expected 'Authorization: Bearer <token>'");
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            reject(response, "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'");
            return;
        }
        if (!matches(header.substring(7).trim())) {
            reject(response, "the bearer token is not valid");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isOpen(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        String raw = request.getRequestURI().substring(request.getContextPath().length());
        return OPEN_PATHS.contains(path) && path.equals(raw);
    }

    private boolean matches(String presented) {
        byte[] d = digest(presented);
        boolean ok = false;
        for (byte[] known : digests) {
            ok |= MessageDigest.isEqual(d, known);
        }
        return ok;
    }

    private static void reject(HttpServletResponse response, String message) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer");
        ErrorBody.write(response, 401, message);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
