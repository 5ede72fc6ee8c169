package io.nabla.web;

import io.nabla.config.NablaProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Enforces {@code nabla.limits.max-body-size}: a declared Content-Length over it is answered 413 before anything is
 * read, and every body (chunked ones too) is counted as it is read, failing with 413 past the limit. Multipart bodies
 * are parsed by the container, which enforces the same limit (set from the same property).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class BodyLimitFilter extends OncePerRequestFilter {

    private final long limit;

    BodyLimitFilter(NablaProperties properties) {
        this.limit = properties.limits().maxBodySize().toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            response.setHeader("Connection", "close");
            ErrorBody.write(response, 413, BodyTooLargeException.of(limit, "of " + declared + " bytes").getMessage());
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            private ServletInputStream counted;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (counted == null) {
                    counted = new CountingInputStream(super.getInputStream(), limit);
                }
                return counted;
            }
        }, response);
    }
}
