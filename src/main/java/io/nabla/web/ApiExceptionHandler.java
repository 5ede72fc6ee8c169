package io.nabla.web;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.gpu.DeviceUnavailableException;
import io.nabla.inference.InferenceException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;

/**
 * Answers every failure as {@code {"error": "..."}} with its status: the service's own refusals by kind, the engine's
 * argument errors as 400, Spring MVC's own errors (unknown route, wrong method, wrong content type, missing part,
 * malformed body) with their status and a message naming the problem. Bad input never becomes a 500.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);

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

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ErrorBody> uploadTooLarge(MaxUploadSizeExceededException e) {
        return error(HttpStatus.CONTENT_TOO_LARGE, "the multipart body is over the limit of "
                + (e.getMaxUploadSize() > 0 ? e.getMaxUploadSize() + " bytes " : "") + "(nabla.limits.max-body-size)");
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
        return error(HttpStatus.BAD_REQUEST, InferRequestReader.malformed(e).getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        BodyTooLargeException tooLarge = cause(e, BodyTooLargeException.class);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        JacksonException json = cause(e, JacksonException.class);
        return error(HttpStatus.BAD_REQUEST, json != null ? InferRequestReader.malformed(json).getMessage()
                : "the request body is not readable: " + e.getMostSpecificCause().getMessage());
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
        return error(HttpStatus.BAD_REQUEST, "malformed multipart body: " + root.getMessage());
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

    @ExceptionHandler(UncheckedIOException.class)
    ResponseEntity<ErrorBody> io(UncheckedIOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("cannot read the request body")) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        LOG.error("I/O error", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getMessage());
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
        LOG.error("unexpected error", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
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
