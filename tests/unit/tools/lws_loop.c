/* Tests for tools/kamer-load/lws_loop.c: one turn of an lws loop ends when its time is up,
 * even when lws has no timer of its own due for long, and even when the bound came due
 * before lws computed how long to wait (with a bound that only fired, such a turn waited
 * for lws's next timer: 30 s here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../../tools/kamer-load/lws_loop.h"

/* Far beyond any wait that counts as bounded, and far below the next timer's 30 s. */
#define STALL_MS 5000

static int g_far_fired;

static void far_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	g_far_fired = 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A context whose only timer of its own is 30 s away. */
static struct lws_context *idle_context(lws_sorted_usec_list_t *far)
{
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	lws_set_log_level(0, NULL);
	struct lws_context *ctx = lws_create_context(&info);
	assert_non_null(ctx);
	memset(far, 0, sizeof(*far));
	g_far_fired = 0;
	lws_sul_schedule(ctx, 0, far, far_cb, 30 * LWS_US_PER_SEC);
	return ctx;
}

static void turns(int timeout_ms)
{
	lws_sorted_usec_list_t far;
	struct lws_context *ctx = idle_context(&far);
	struct lws_loop loop;
	memset(&loop, 0, sizeof(loop));
	for (int i = 0; i < 3; i++) {
		long long t0 = now_ms();
		lws_loop_service(&loop, ctx, timeout_ms);
		long long took = now_ms() - t0;
		if (took >= STALL_MS)
			fail_msg("turn %d with a bound of %d ms took %lld ms", i, timeout_ms, took);
	}
	assert_int_equal(g_far_fired, 0);
	lws_sul_cancel(&far);
	lws_sul_cancel(&loop.bound);
	lws_context_destroy(ctx);
}

static void a_turn_ends_when_its_time_is_up(void **state)
{
	(void)state;
	turns(10);
}

static void a_bound_due_before_the_wait_still_ends_it(void **state)
{
	(void)state;
	turns(0); /* due at once: lws finds it ripe before it computes its wait */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_turn_ends_when_its_time_is_up),
	    cmocka_unit_test(a_bound_due_before_the_wait_still_ends_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
