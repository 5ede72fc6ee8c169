package io.nabla.web;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.DeviceUnavailableException;
import io.nabla.inference.InferenceException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.UncheckedIOException;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.SizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;

/**
 * Answers every failure as {@code {"error": "..."}} with its status: the service's own refusals by kind, the engine's
 * argument errors as 400, Spring MVC's own errors (unknown route, wrong method, wrong content type, missing part,
 * malformed body) with their status and a message naming the problem. Bad input never becomes a 500.
 *
 * <p>Messages are written for the client: what is wrong, where, expected and actual. The text of library exceptions
 * (Spring's, Jackson's, Tomcat's) is never passed through as it is, because it names Java signatures, classes and
 * parser features that a client can neither read nor act on, and tells an attacker what runs here; the details go
 * to the server log instead.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /** The configured JSON nesting limit and body limit, named in messages; -1 where unknown (unit tests). */
    private final int maxJsonDepth;
    private final long maxBodySize;

    @Autowired
    ApiExceptionHandler(NablaProperties properties) {
        this.maxJsonDepth = properties.limits().maxJsonDepth();
        this.maxBodySize = properties.limits().maxBodySize().toBytes();
    }

    ApiExceptionHandler() {
        this.maxJsonDepth = -1;
        this.maxBodySize = -1;
    }

    @ExceptionHandler(InferenceException.class)
    ResponseEntity<ErrorBody> inference(InferenceException e) {
        HttpStatus status = switch (e.kind()) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case OVERLOADED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case OUT_OF_MEMORY -> HttpStatus.INSUFFICIENT_STORAGE;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
            LOG.error("internal error: {}", e.getMessage(), e);
        }
        ResponseEntity.BodyBuilder b = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfter() != null) {
            b.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        return b.body(new ErrorBody(e.getMessage()));
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ResponseEntity<ErrorBody> tooLarge(BodyTooLargeException e) {
        return error(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
    }

    /**
     * Spring reports every limit Tomcat's multipart parser enforces as "maximum upload size exceeded" (size -1),
     * whether the body was too large or merely had too many parts or a part with too long a header. Only the first
     * is a 413; the others are a malformed request (400) however small the body, so the cause tells them apart and
     * the message names the limit that was actually hit, with its value and property.
     */
    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ErrorBody> uploadTooLarge(MaxUploadSizeExceededException e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        FileCountLimitExceededException parts = cause(e, FileCountLimitExceededException.class);
        if (parts != null) {
            return error(HttpStatus.BAD_REQUEST, "the multipart body has more than " + parts.getLimit()
                    + " parts, the limit (server.tomcat.max-part-count)");
        }
        SizeException size = cause(e, SizeException.class);
        if (size != null && size.getMessage() != null && size.getMessage().startsWith("Header section")) {
            return error(HttpStatus.BAD_REQUEST, "the headers of a multipart part are longer than "
                    + size.getPermittedSize() + " bytes, the limit (server.tomcat.max-part-header-size)");
        }
        long limit = size != null && size.getPermittedSize() > 0 ? size.getPermittedSize()
                : e.getMaxUploadSize() > 0 ? e.getMaxUploadSize() : maxBodySize;
        return error(HttpStatus.CONTENT_TOO_LARGE, "the multipart body is over the limit of "
                + (limit > 0 ? limit + " bytes " : "") + "(nabla.limits.max-body-size)");
    }

    @ExceptionHandler(OutOfDeviceMemoryException.class)
    ResponseEntity<ErrorBody> outOfMemory(OutOfDeviceMemoryException e) {
        return error(HttpStatus.INSUFFICIENT_STORAGE, e.getMessage());
    }

    @ExceptionHandler(DeviceUnavailableException.class)
    ResponseEntity<ErrorBody> deviceUnavailable(DeviceUnavailableException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ErrorBody> badArgument(IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(JacksonException.class)
    ResponseEntity<ErrorBody> malformedJson(JacksonException e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        return error(HttpStatus.BAD_REQUEST, JsonErrors.describe(e, maxJsonDepth));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        JacksonException json = cause(e, JacksonException.class);
        if (json != null) {
            return error(HttpStatus.BAD_REQUEST, JsonErrors.describe(json, maxJsonDepth));
        }
        if (e.getCause() == null) {
            // Spring's "Required request body is missing: <method signature>"
            return error(HttpStatus.BAD_REQUEST, "the request body is missing; expected a JSON object");
        }
        LOG.debug("unreadable request body", e);
        return error(HttpStatus.BAD_REQUEST, "the request body could not be read; expected a JSON object");
    }

    @ExceptionHandler(MissingServletRequestPartException.class)
    ResponseEntity<ErrorBody> missingPart(MissingServletRequestPartException e) {
        return error(HttpStatus.BAD_REQUEST, "multipart part '" + e.getRequestPartName() + "' is missing");
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ErrorBody> badMultipart(MultipartException e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        LOG.debug("malformed multipart body", e);
        return error(HttpStatus.BAD_REQUEST, "malformed multipart body: " + multipartProblem(root.getMessage()));
    }

    /** Tomcat's description of a malformed multipart body, in words a client can act on. */
    private static String multipartProblem(String message) {
        String m = message == null ? "" : message;
        if (m.contains("Stream ended unexpectedly")) {
            return "the body ends before the closing boundary; expected every part to end with the boundary and"
                    + " the body with --boundary--";
        }
        if (m.contains("no multipart boundary")) {
            return "no boundary; expected Content-Type multipart/form-data; boundary=... and parts separated by it";
        }
        if (m.isBlank() || m.contains("Exception") || m.contains("java.") || m.contains("org.")) {
            return "expected parts separated by the boundary of the Content-Type";
        }
        return m;
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ErrorBody> noRoute(NoResourceFoundException e) {
        return error(HttpStatus.NOT_FOUND, "no endpoint " + e.getHttpMethod() + " /" + e.getResourcePath());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorBody> wrongMethod(HttpRequestMethodNotSupportedException e) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
                .contentType(MediaType.APPLICATION_JSON);
        if (e.getSupportedHttpMethods() != null) {
            b.allow(e.getSupportedHttpMethods().toArray(org.springframework.http.HttpMethod[]::new));
        }
        return b.body(new ErrorBody("method " + e.getMethod() + " is not allowed here; allowed: "
                + (e.getSupportedMethods() == null ? "none" : String.join(", ", e.getSupportedMethods()))));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorBody> wrongContentType(HttpMediaTypeNotSupportedException e) {
        return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + (e.getContentType() == null ? "(none)"
                : "'" + e.getContentType() + "'") + " is not supported here; expected " + e.getSupportedMediaTypes());
    }

    /**
     * A client that left before its answer was written (a stream closed, a request timed out on its side): there is
     * no one to answer, an error body cannot be written to a closed connection, and a client leaving is no server
     * error, so it is logged at DEBUG and nothing is written.
     */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientLeft(AsyncRequestNotUsableException e) {
        LOG.debug("the client left: {}", e.getMessage());
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ErrorBody> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return error(HttpStatus.NOT_ACCEPTABLE, "Accept " + (accept == null ? "(none)" : "'" + (accept.length() > 100
                ? accept.substring(0, 100) + "..." : accept) + "'") + " names no format this endpoint answers in;"
                + " expected " + e.getSupportedMediaTypes());
    }

    @ExceptionHandler(UncheckedIOException.class)
    ResponseEntity<ErrorBody> io(UncheckedIOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("cannot read the request body")) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            LOG.debug("the client left: {}", e.getMessage());
            return null;
        }
        LOG.error("I/O error", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal I/O error; the server log has the details");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorBody> other(Exception e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        if (e instanceof ErrorResponse spring) {
            HttpStatus status = HttpStatus.resolve(spring.getStatusCode().value());
            String detail = spring.getBody().getDetail();
            return error(status == null ? HttpStatus.BAD_REQUEST : status, detail == null ? e.getMessage() : detail);
        }
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            LOG.debug("the client left: {}", e.getMessage());
            return null;
        }
        LOG.error("unexpected error", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error; the server log has the details");
    }

    static ResponseEntity<ErrorBody> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ErrorBody(message));
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
