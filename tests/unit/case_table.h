/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven cmocka tests: one cmocka test a row of a table of cases,
 * named after the row, so that the count of tests run is the count of
 * cases and a failure names the case that failed.
 *
 * A row is any struct with a `const char *name` member; the test function
 * receives the row as its state (cmocka hands a test's initial state to
 * its setup, if any, and then to the test).  Include after <cmocka.h>.
 */
#ifndef COORD_TESTS_CASE_TABLE_H
#define COORD_TESTS_CASE_TABLE_H

#define N_ELEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Appends the tests of a fixed list, such as cmocka_unit_test() entries. */
#define ADD_TESTS(tests, n, list) do {					\
	for (size_t i_ = 0; i_ < N_ELEMS(list); i_++)			\
		(tests)[(n)++] = (list)[i_];				\
} while (0)

/* Appends one test a row of rows[]: fn(state) with *state = &rows[i]. */
#define ADD_ROW_TESTS(tests, n, rows, fn, setup, teardown) do {	\
	for (size_t i_ = 0; i_ < N_ELEMS(rows); i_++)			\
		(tests)[(n)++] = (struct CMUnitTest){			\
			.name = (rows)[i_].name, .test_func = (fn),	\
			.setup_func = (setup), .teardown_func = (teardown), \
			.initial_state = (void *)&(rows)[i_],		\
		};							\
} while (0)

#endif
