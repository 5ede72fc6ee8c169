package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** A handler's action after its request runs once the dispatch has returned, a margin later, on another thread. */
class AfterDispatchFilterTest {

    private final AfterDispatchFilter filter = new AfterDispatchFilter();

    @Test
    void theActionRunsAMarginAfterTheDispatchReturnedAndNotOnItsThread() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/jobs/j/events");
        CountDownLatch ran = new CountDownLatch(1);
        AtomicLong ranAt = new AtomicLong();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        long[] returnedAt = new long[1];
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
            AfterDispatchFilter.afterReturn(request, () -> {
                ranAt.set(System.nanoTime());
                ranOn.set(Thread.currentThread());
                ran.countDown();
            });
            assertThatThrownBy(() -> AfterDispatchFilter.afterReturn(request, () -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("one action");
            JobFixtures.sleep(150); // longer than the margin: the action must still wait for the return
            assertThat(ran.getCount()).as("the action ran before the dispatch returned").isEqualTo(1);
            returnedAt[0] = System.nanoTime();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).as("the action ran").isTrue();
        assertThat(ranAt.get() - returnedAt[0]).isGreaterThanOrEqualTo(AfterDispatchFilter.MARGIN.toNanos());
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
        assertThat(request.getAttributeNames().hasMoreElements()).as("the filter leaves no attribute").isFalse();
    }

    @Test
    void withoutTheFilterTheActionRunsAMarginLater() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/jobs/j/events");
        CountDownLatch ran = new CountDownLatch(1);
        long asked = System.nanoTime();
        AtomicLong ranAt = new AtomicLong();
        AfterDispatchFilter.afterReturn(request, () -> {
            ranAt.set(System.nanoTime());
            ran.countDown();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).as("the action ran").isTrue();
        assertThat(ranAt.get() - asked).isGreaterThanOrEqualTo(AfterDispatchFilter.MARGIN.toNanos());
    }
}
