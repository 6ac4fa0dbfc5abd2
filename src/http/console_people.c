/*
 * console_people.c - the office's pages for people and access (SPEC 8):
 * /console/users (list, add with its one-time setup link, disable,
 * reset), /console/tokens (list, create with the token shown once,
 * revoke) and /console/audit (the audit log, newest first, by page).
 * Every change is a POST with the session's CSRF token (checked before
 * the handler runs) and is in the audit log with the person and the
 * client network, in the change's own transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "console.h"
#include "console_office.h"
#include "server_int.h"
#include "token.h"

#define AUDIT_PAGE 50	    /* rows a page of the audit log */
#define AUDIT_PAGES_MAX 400 /* pages one can go back */

static const struct office_word words[] = {
    {"t_users", "Người dùng", "Users"},
    {"t_tokens", "Mã truy cập API", "API tokens"},
    {"t_audit", "Nhật ký thay đổi", "Audit log"},
    {"t_login", "Tên đăng nhập (số điện thoại hoặc e-mail)",
     "Login (phone number or e-mail)"},
    {"t_login_col", "Tên đăng nhập", "Login"},
    {"t_role", "Vai trò", "Role"},
    {"t_producer", "Chủ thể sản xuất", "Producer"},
    {"t_producer_code", "Mã một sản phẩm của chủ thể (chỉ cho vai trò chủ thể)",
     "A product code of the producer (producer role only)"},
    {"t_province", "Tỉnh", "Province"},
    {"t_name", "Họ tên", "Name"},
    {"t_state", "Trạng thái", "State"},
    {"t_last_signin", "Đăng nhập lần cuối", "Last sign-in"},
    {"t_actions", "Thao tác", "Actions"},
    {"t_add_user", "Thêm người dùng", "Add a user"},
    {"t_do_add", "Thêm", "Add"},
    {"t_disable", "Khóa", "Disable"},
    {"t_reset", "Cấp lại liên kết", "Reset"},
    {"t_role_admin", "Văn phòng OCOP (quản trị)", "OCOP office (admin)"},
    {"t_role_inspector", "Kiểm tra viên", "Inspector"},
    {"t_role_producer", "Chủ thể sản xuất", "Producer"},
    {"t_setup_link",
     "Gửi liên kết này cho người dùng để đặt mật khẩu (dùng một lần, "
     "trong 72 giờ). Liên kết không được hiển thị lại.",
     "Send this link to the person to choose a password (once, within 72 "
     "hours). It is not shown again."},
    {"t_id", "Số", "ID"},
    {"t_created", "Tạo lúc", "Created"},
    {"t_last_used", "Dùng lần cuối", "Last used"},
    {"t_expires", "Hết hạn", "Expires"},
    {"t_revoked", "Thu hồi lúc", "Revoked"},
    {"t_revoke", "Thu hồi", "Revoke"},
    {"t_create_token", "Tạo mã truy cập", "Create a token"},
    {"t_expires_on", "Hết hạn ngày (để trống: không hết hạn)",
     "Expires on (empty: never)"},
    {"t_do_create", "Tạo", "Create"},
    {"t_token_once",
     "Mã truy cập mới, chỉ hiển thị lần này. Hãy sao chép và giữ kín.",
     "The new token, shown this once. Copy it and keep it secret."},
    {"t_since", "Từ ngày", "Since"},
    {"t_filter", "Lọc", "Filter"},
    {"t_when", "Thời điểm", "When"},
    {"t_actor", "Người thực hiện", "Actor"},
    {"t_action", "Thao tác", "Action"},
    {"t_subject", "Đối tượng", "Subject"},
    {"t_net", "Mạng", "Network"},
    {"t_detail", "Chi tiết", "Detail"},
    {"t_newer", "← Mới hơn", "← Newer"},
    {"t_older", "Cũ hơn →", "Older →"},
    {"t_none", "Không có mục nào.", "No entries."},
    {"t_confirm_disable", "Khóa người dùng này?", "Disable this user?"},
};

static const char *
tr(const char *lang, const char *vi, const char *en)
{
	return strcmp(lang, "en") == 0 ? en : vi;
}

static const char *
role_words(enum ocop_role r, const char *lang)
{
	switch (r) {
	case OCOP_ROLE_ADMIN:
		return tr(lang, "quản trị", "admin");
	case OCOP_ROLE_INSPECTOR:
		return tr(lang, "kiểm tra viên", "inspector");
	case OCOP_ROLE_PRODUCER:
		return tr(lang, "chủ thể sản xuất", "producer");
	default:
		return ocop_role_name(r);
	}
}

/* ---- producers by id, for the lists ------------------------------------- */

struct producers {
	int64_t *ids;
	size_t n;
	char (*name)[256];
	char (*code)[64];
};

static int
producer_seen(void *ctx, const struct ocop_product *p)
{
	struct producers *ps = ctx;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->ids[i] == p->producer.id && !ps->code[i][0]) {
			ocop_strlcpy(ps->name[i], p->producer.name,
				     sizeof(ps->name[i]));
			ocop_strlcpy(ps->code[i], p->code, sizeof(ps->code[i]));
		}
	return 0;
}

/* Name the producers of ids[0..n) (0: none) by one pass over the
 * products, only when there is one to name. */
static int
producers_find(struct ocop_store *st, struct producers *ps, int64_t *ids,
	       size_t n, struct ocop_error *err)
{
	ps->ids = ids;
	ps->n = n;
	ps->name = ocop_xcalloc(n ? n : 1, sizeof(*ps->name));
	ps->code = ocop_xcalloc(n ? n : 1, sizeof(*ps->code));
	for (size_t i = 0; i < n; i++)
		if (ids[i] > 0)
			return st->m->product_each(st, producer_seen, ps, err);
	return 0;
}

static void
producers_release(struct producers *ps)
{
	free(ps->name);
	free(ps->code);
}

/* ---- users -----------------------------------------------------------------
 */

struct users {
	struct store_user *u;
	int64_t *last; /* last sign-in of each */
	size_t n, cap;
};

static int
user_seen(void *ctx, const struct store_user *u)
{
	struct users *us = ctx;

	if (us->n == us->cap) {
		us->cap = us->cap ? 2 * us->cap : 16;
		us->u = ocop_xrealloc(us->u, us->cap * sizeof(*us->u));
	}
	us->u[us->n++] = *u;
	return 0;
}

static int
signin_seen(void *ctx, const struct store_audit *a)
{
	struct users *us = ctx;

	if (strcmp(a->action, "signin") != 0)
		return 0;
	for (size_t i = 0; i < us->n; i++)
		if (strcmp(us->u[i].login, a->subject) == 0 &&
		    a->at > us->last[i])
			us->last[i] = a->at;
	return 0;
}

/* What the users' page shows beside the list: a new setup link, an
 * error of the add form (by field) or of a row's action. */
struct users_said {
	const char *notice;
	const char *setup_link;
	const char *error;
	const char *e_login, *e_role, *e_producer;
	const char *login, *role, *producer, *province, *name;
};

/* The page, read from st: after a change, the handle that made it (the
 * thread's reader is in a read begun before the change). NULL: the
 * reader. */
static void
users_page(struct conn *c, struct http_resp *resp, int status,
	   const struct users_said *said, struct ocop_store *st)
{
	const char *lang = console_lang(c);
	const struct console_user *me = console_user(c);
	struct ocop_error err = {0};
	int failed = 0;
	struct users us = {0};
	struct producers ps = {0};
	struct office_vars vs;
	struct ocop_buf rows, fields;
	int64_t *ids = NULL;

	if ((!st && !(st = server_store(c->srv, &err))) ||
	    account_user_each(st, user_seen, &us, &err) < 0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		free(us.u);
		return;
	}
	us.last = ocop_xcalloc(us.n ? us.n : 1, sizeof(*us.last));
	ids = ocop_xcalloc(us.n ? us.n : 1, sizeof(*ids));
	for (size_t i = 0; i < us.n; i++) {
		us.last[i] = OCOP_NO_TIME;
		ids[i] = us.u[i].producer_id;
	}
	if (us.n &&
	    (st->m->audit_each(st, OCOP_NO_TIME, signin_seen, &us, &err) < 0 ||
	     producers_find(st, &ps, ids, us.n, &err) < 0)) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		goto out;
	}
	office_vars_init(&vs);
	ocop_buf_init(&rows, (size_t)16 << 20);
	ocop_buf_init(&fields, 1 << 16);
	for (size_t i = 0; i < us.n; i++) {
		const struct store_user *u = &us.u[i];
		struct office_vars rv;
		char when[20];

		office_vars_init(&rv);
		office_var(&rv, "login", u->login);
		office_var(&rv, "role", role_words(u->role, lang));
		office_var(&rv, "producer", ps.name ? ps.name[i] : "");
		office_var(&rv, "province", u->province);
		office_var(&rv, "name", u->name);
		office_var(
		    &rv, "state",
		    u->disabled_at != OCOP_NO_TIME
			? tr(lang, "đã khóa", "disabled")
		    : u->password_at == OCOP_NO_TIME
			? tr(lang, "chưa đặt mật khẩu", "no password yet")
			: tr(lang, "hoạt động", "active"));
		office_var(&rv, "disabled",
			   u->disabled_at != OCOP_NO_TIME ? "1" : "");
		office_var_copy(&rv, "last", office_when(us.last[i], when));
		office_var(&rv, "csrf", me->csrf);
		office_var(&rv, "lang_q",
			   strcmp(lang, "en") == 0 ? "?lang=en" : "");
		office_var(&rv, "self",
			   strcmp(u->login, me->login) == 0 ? "1" : "");
		office_words(&rv, words, sizeof(words) / sizeof(words[0]),
			     lang);
		failed |= office_render(&rows, "user_row.html", &rv, &err);
		office_vars_release(&rv);
	}
	{
		static const struct {
			const char *fid, *fname, *label, *type;
		} in[] = {
		    {"u_login", "login", "t_login", "text"},
		    {"u_producer", "producer", "t_producer_code", "text"},
		    {"u_province", "province", "t_province", "text"},
		    {"u_name", "name", "t_name", "text"},
		};
		const char *vals[] = {said->login, said->producer,
				      said->province, said->name};
		const char *errs[] = {said->e_login, said->e_producer, NULL,
				      NULL};

		for (size_t i = 0; i < 4; i++) {
			const char *label = "";

			for (size_t w = 0; w < sizeof(words) / sizeof(words[0]);
			     w++)
				if (!strcmp(words[w].name, in[i].label))
					label = office_word(&words[w], lang);
			failed |= office_field(&fields, in[i].fid, in[i].fname,
					       label, in[i].type, i == 0,
					       vals[i], errs[i], &err);
		}
	}
	office_style(&vs);
	office_words(&vs, words, sizeof(words) / sizeof(words[0]), lang);
	office_var(&vs, "csrf", me->csrf);
	office_var(&vs, "rows", rows.data ? rows.data : "");
	office_var(&vs, "fields", fields.data ? fields.data : "");
	office_var(&vs, "notice", said->notice);
	office_var(&vs, "setup_link", said->setup_link);
	office_var(&vs, "error", said->error);
	office_var(&vs, "e_role", said->e_role);
	office_role_choice(&vs, said->role);
	if (failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else
		console_page(c, resp, status, tr(lang, "Người dùng", "Users"),
			     "users.html", vs.v, vs.n);
	ocop_buf_release(&rows);
	ocop_buf_release(&fields);
	office_vars_release(&vs);
out:
	producers_release(&ps);
	free(ids);
	free(us.u);
	free(us.last);
}

int
console_users(struct conn *c, const char *method, struct http_resp *resp)
{
	struct users_said said = {0};

	(void)method;
	users_page(c, resp, 200, &said, NULL);
	return 0;
}

static int
arg_is(const struct conn *c, const char *s)
{
	return c->arg_len[0] == strlen(s) &&
	       memcmp(c->arg[0], s, c->arg_len[0]) == 0;
}

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int
console_users_post(struct conn *c, const char *method, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	const struct console_form *f = console_form(c);
	struct users_said said = {0};
	struct ocop_error err = {0};
	struct ocop_store *st;
	char actor[200], secret[ACCOUNT_SECRET_LEN + 1] = "", link[512];
	char norm[ACCOUNT_LOGIN_MAX + 1], msg[1024];
	const char *login = console_field(f, "login");
	enum ocop_role role = OCOP_ROLE_NONE;
	int status = 200, rc;

	(void)method;
	if (!arg_is(c, "add") && !arg_is(c, "disable") && !arg_is(c, "reset")) {
		console_not_found(c, resp);
		return 0;
	}
	console_actor(c, actor, sizeof(actor));
	if (!(st = server_write_store(c->srv, &err))) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	if (arg_is(c, "add")) {
		const char *role_s = console_field(f, "role");
		const char *producer = nonempty(console_field(f, "producer"));

		said.login = login;
		said.role = role_s;
		said.producer = producer;
		said.province = console_field(f, "province");
		said.name = console_field(f, "name");
		if (!role_s || ocop_role_parse(role_s, &role) < 0 ||
		    role == OCOP_ROLE_NONE) {
			said.e_role =
			    tr(lang, "Chọn một vai trò", "Choose a role");
			status = 422;
		} else if (role == OCOP_ROLE_PRODUCER && !producer) {
			said.e_producer =
			    tr(lang,
			       "Người dùng chủ thể cần mã một sản phẩm "
			       "của chủ thể",
			       "A producer user needs a product code of the "
			       "producer");
			status = 422;
		} else if (role != OCOP_ROLE_PRODUCER && producer) {
			said.e_producer = tr(lang,
					     "Chỉ điền cho vai trò chủ thể sản "
					     "xuất",
					     "Only for the producer role");
			status = 422;
		}
		if (status == 200 && account_login_normalise(login ? login : "",
							     norm, &err) < 0) {
			snprintf(msg, sizeof(msg), "%s (%s)",
				 tr(lang, "Tên đăng nhập không hợp lệ",
				    "Invalid login"),
				 err.msg);
			said.e_login = msg;
			status = 422;
		}
		if (status != 200) {
			users_page(c, resp, status, &said, st);
			return 0;
		}
		rc = account_user_add(
		    st, login, role, producer, nonempty(said.province),
		    nonempty(said.name), actor, console_net(c), ocop_now(),
		    secret, NULL, &err);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s (%s)",
				 rc == OCOP_EEXIST
				     ? tr(lang, "Tên đăng nhập đã có",
					  "The login is taken")
				 : rc == OCOP_ENOENT
				     ? tr(lang, "Không có sản phẩm này",
					  "No such product")
				     : tr(lang, "Không thêm được", "Not added"),
				 err.msg);
			if (rc == OCOP_ENOENT)
				said.e_producer = msg;
			else if (rc == OCOP_EEXIST)
				said.e_login = msg;
			else
				said.error = msg;
			users_page(c, resp,
				   rc == OCOP_EINVAL || rc == OCOP_EEXIST ||
					   rc == OCOP_ENOENT
				       ? 422
				       : http_fail_status(resp, rc),
				   &said, st);
			return 0;
		}
		snprintf(link, sizeof(link), "%s/console/setup/%s",
			 c->srv->base_url, secret);
		said.setup_link = link;
		snprintf(msg, sizeof(msg), "%s: %s",
			 tr(lang, "Đã thêm người dùng", "User added"), norm);
		said.notice = msg;
		said.login = said.role = said.producer = said.province =
		    said.name = NULL;
	} else if (arg_is(c, "disable")) {
		rc = account_user_disable(st, login ? login : "", actor,
					  console_net(c), ocop_now(), &err);
		snprintf(msg, sizeof(msg), "%s: %s",
			 rc < 0
			     ? tr(lang, "Không khóa được", "Not disabled")
			     : tr(lang, "Đã khóa người dùng", "User disabled"),
			 rc < 0 ? err.msg : login);
		if (rc < 0) {
			said.error = msg;
			status = rc == OCOP_ENOENT ? 404
				 : rc == OCOP_EINVAL
				     ? 422
				     : http_fail_status(resp, rc);
		} else {
			said.notice = msg;
		}
	} else {
		rc = account_user_reset(st, login ? login : "", actor,
					console_net(c), ocop_now(), secret,
					&err);
		snprintf(msg, sizeof(msg), "%s: %s",
			 rc < 0 ? tr(lang, "Không cấp lại được", "Not reset")
				: tr(lang, "Đã cấp lại liên kết cho",
				     "New setup link for"),
			 rc < 0 ? err.msg : login);
		if (rc < 0) {
			said.error = msg;
			status = rc == OCOP_ENOENT ? 404
				 : rc == OCOP_EINVAL
				     ? 422
				     : http_fail_status(resp, rc);
		} else {
			said.notice = msg;
			snprintf(link, sizeof(link), "%s/console/setup/%s",
				 c->srv->base_url, secret);
			said.setup_link = link;
		}
	}
	users_page(c, resp, status, &said, st);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(link, sizeof(link));
	return 0;
}

/* ---- tokens ----------------------------------------------------------------
 */

struct tokens {
	struct store_token *t;
	size_t n, cap;
};

static int
token_seen(void *ctx, const struct store_token *t)
{
	struct tokens *ts = ctx;

	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 16;
		ts->t = ocop_xrealloc(ts->t, ts->cap * sizeof(*ts->t));
	}
	ts->t[ts->n++] = *t;
	return 0;
}

struct tokens_said {
	const char *notice, *error, *token;
	const char *e_role, *e_producer, *e_expires;
	const char *role, *producer, *expires;
};

/* As users_page. */
static void
tokens_page(struct conn *c, struct http_resp *resp, int status,
	    const struct tokens_said *said, struct ocop_store *st)
{
	const char *lang = console_lang(c);
	const struct console_user *me = console_user(c);
	struct ocop_error err = {0};
	int failed = 0;
	struct tokens ts = {0};
	struct producers ps = {0};
	struct office_vars vs;
	struct ocop_buf rows, fields;
	int64_t *ids;

	if ((!st && !(st = server_store(c->srv, &err))) ||
	    st->m->token_each(st, token_seen, &ts, &err) < 0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		free(ts.t);
		return;
	}
	ids = ocop_xcalloc(ts.n ? ts.n : 1, sizeof(*ids));
	for (size_t i = 0; i < ts.n; i++)
		ids[i] = ts.t[i].producer_id;
	if (producers_find(st, &ps, ids, ts.n, &err) < 0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		goto out;
	}
	office_vars_init(&vs);
	ocop_buf_init(&rows, (size_t)16 << 20);
	ocop_buf_init(&fields, 1 << 16);
	/* newest first */
	for (size_t k = ts.n; k-- > 0;) {
		const struct store_token *t = &ts.t[k];
		struct office_vars rv;
		char a[20], b[20], d[20], e[20];

		office_vars_init(&rv);
		office_varf(&rv, "id", "%lld", (long long)t->id);
		office_var(&rv, "role", role_words(t->role, lang));
		office_var(&rv, "producer", ps.name[k]);
		office_var(&rv, "created", office_when(t->created_at, a));
		office_var(&rv, "last_used", office_when(t->last_used_at, b));
		office_var(&rv, "expires", office_when(t->expires_at, d));
		office_var(&rv, "revoked", office_when(t->revoked_at, e));
		office_var(&rv, "csrf", me->csrf);
		office_var(&rv, "lang_q",
			   strcmp(lang, "en") == 0 ? "?lang=en" : "");
		office_words(&rv, words, sizeof(words) / sizeof(words[0]),
			     lang);
		failed |= office_render(&rows, "token_row.html", &rv, &err);
		office_vars_release(&rv);
	}
	{
		static const struct {
			const char *fid, *fname, *label, *type;
		} in[] = {
		    {"t_producer_f", "producer", "t_producer_code", "text"},
		    {"t_expires_f", "expires", "t_expires_on", "date"},
		};
		const char *vals[] = {said->producer, said->expires};
		const char *errs[] = {said->e_producer, said->e_expires};

		for (size_t i = 0; i < 2; i++) {
			const char *label = "";

			for (size_t w = 0; w < sizeof(words) / sizeof(words[0]);
			     w++)
				if (!strcmp(words[w].name, in[i].label))
					label = office_word(&words[w], lang);
			failed |=
			    office_field(&fields, in[i].fid, in[i].fname, label,
					 in[i].type, 0, vals[i], errs[i], &err);
		}
	}
	office_style(&vs);
	office_words(&vs, words, sizeof(words) / sizeof(words[0]), lang);
	office_var(&vs, "csrf", me->csrf);
	office_var(&vs, "rows", rows.data ? rows.data : "");
	office_var(&vs, "fields", fields.data ? fields.data : "");
	office_var(&vs, "notice", said->notice);
	office_var(&vs, "token", said->token);
	office_var(&vs, "error", said->error);
	office_var(&vs, "e_role", said->e_role);
	office_role_choice(&vs, said->role);
	if (failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else
		console_page(c, resp, status,
			     tr(lang, "Mã truy cập API", "API tokens"),
			     "tokens.html", vs.v, vs.n);
	ocop_buf_release(&rows);
	ocop_buf_release(&fields);
	office_vars_release(&vs);
out:
	producers_release(&ps);
	free(ids);
	free(ts.t);
}

int
console_tokens(struct conn *c, const char *method, struct http_resp *resp)
{
	struct tokens_said said = {0};

	(void)method;
	tokens_page(c, resp, 200, &said, NULL);
	return 0;
}

static int
token_create_post(struct conn *c, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	const struct console_form *f = console_form(c);
	struct tokens_said said = {0};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_product prod;
	const char *role_s = console_field(f, "role");
	const char *producer = nonempty(console_field(f, "producer"));
	const char *expires_s = nonempty(console_field(f, "expires"));
	enum ocop_role role = OCOP_ROLE_NONE;
	char token[TOKEN_LEN + 1] = "", actor[200], subject[32], detail[200];
	char msg[1024], when[32];
	int64_t now = ocop_now(), expires = OCOP_NO_TIME, producer_id = 0,
		id = 0;
	int32_t day;
	int status = 200, rc;

	said.role = role_s;
	said.producer = producer;
	said.expires = expires_s;
	if (!role_s || ocop_role_parse(role_s, &role) < 0 ||
	    role == OCOP_ROLE_NONE) {
		said.e_role = tr(lang, "Chọn một vai trò", "Choose a role");
		status = 422;
	} else if (role == OCOP_ROLE_PRODUCER && !producer) {
		said.e_producer = tr(lang,
				     "Mã truy cập của chủ thể cần mã một sản "
				     "phẩm của chủ thể",
				     "A producer token needs a product code of "
				     "the producer");
		status = 422;
	} else if (role != OCOP_ROLE_PRODUCER && producer) {
		said.e_producer =
		    tr(lang, "Chỉ điền cho vai trò chủ thể sản xuất",
		       "Only for the producer role");
		status = 422;
	}
	if (expires_s) {
		if (ocop_day_parse(expires_s, &day, &err) < 0 ||
		    day <= ocop_day_of(now)) {
			said.e_expires = tr(lang,
					    "Ngày hết hạn phải sau hôm nay, "
					    "viết YYYY-MM-DD",
					    "The expiry must be after today, "
					    "as YYYY-MM-DD");
			status = 422;
		} else {
			expires = ocop_day_start(day);
		}
	}
	if (status != 200)
		goto show;
	if (!(st = server_write_store(c->srv, &err))) {
		said.error = err.msg;
		status = http_fail_status(resp, err.code);
		goto show;
	}
	if (producer) {
		rc = st->m->product_get(st, producer, &prod, &err);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s (%s)",
				 tr(lang, "Không có sản phẩm này",
				    "No such product"),
				 err.msg);
			said.e_producer = msg;
			status = rc == OCOP_ENOENT ? 422
						   : http_fail_status(resp, rc);
			goto show;
		}
		producer_id = prod.producer.id;
	}
	if ((rc = st->m->begin(st, &err)) < 0)
		goto fail;
	rc =
	    token_create(st, role, producer_id, now, expires, token, &id, &err);
	if (rc == 0) {
		snprintf(subject, sizeof(subject), "token:%lld", (long long)id);
		snprintf(detail, sizeof(detail), "role %s%s%s%s%s",
			 ocop_role_name(role), producer ? ", producer of " : "",
			 producer ? producer : "",
			 expires != OCOP_NO_TIME ? ", expires " : "",
			 expires != OCOP_NO_TIME
			     ? ocop_time_format(expires, when)
			     : "");
		rc = audit_add(st, console_actor(c, actor, sizeof(actor)),
			       "token.create", subject, console_net(c), detail,
			       now, &err);
	}
	if (rc < 0) {
		st->m->rollback(st);
		goto fail;
	}
	if ((rc = st->m->commit(st, &err)) < 0)
		goto fail;
	snprintf(msg, sizeof(msg), "%s %lld",
		 tr(lang, "Đã tạo mã truy cập số", "Created token"),
		 (long long)id);
	said.notice = msg;
	said.token = token;
	said.role = said.producer = said.expires = NULL;
	goto show;
fail:
	snprintf(msg, sizeof(msg), "%s (%s)",
		 tr(lang, "Không tạo được", "Not created"), err.msg);
	said.error = msg;
	status = http_fail_status(resp, err.code);
show:
	tokens_page(c, resp, status, &said, st);
	sodium_memzero(token, sizeof(token));
	return 0;
}

static int
token_revoke_post(struct conn *c, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	const char *id_s = console_field(console_form(c), "id");
	struct tokens_said said = {0};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	char actor[200], subject[32], msg[1024];
	int64_t id = 0;
	int status = 200, rc;

	if (console_form_id(id_s, &id) < 0) {
		said.error =
		    tr(lang, "Số mã truy cập không hợp lệ", "Invalid token id");
		tokens_page(c, resp, 422, &said, NULL);
		return 0;
	}
	snprintf(subject, sizeof(subject), "token:%lld", (long long)id);
	if (!(st = server_write_store(c->srv, &err)) ||
	    (rc = st->m->begin(st, &err)) < 0) {
		rc = OCOP_EINTERNAL;
		goto done;
	}
	if ((rc = st->m->token_revoke(st, id, ocop_now(), &err)) < 0 ||
	    (rc = audit_add(st, console_actor(c, actor, sizeof(actor)),
			    "token.revoke", subject, console_net(c), NULL,
			    ocop_now(), &err)) < 0)
		st->m->rollback(st);
	else
		rc = st->m->commit(st, &err);
done:
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s (%s)",
			 tr(lang, "Không thu hồi được", "Not revoked"),
			 err.msg);
		said.error = msg;
		status = rc == OCOP_ENOENT ? 404 : http_fail_status(resp, rc);
	} else {
		snprintf(msg, sizeof(msg), "%s %lld",
			 tr(lang, "Đã thu hồi mã truy cập số", "Revoked token"),
			 (long long)id);
		said.notice = msg;
	}
	tokens_page(c, resp, status, &said, st);
	return 0;
}

int
console_tokens_post(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	if (arg_is(c, "create"))
		return token_create_post(c, resp);
	if (arg_is(c, "revoke"))
		return token_revoke_post(c, resp);
	console_not_found(c, resp);
	return 0;
}

/* ---- the audit log ------------------------------------------------------- */

/* The last `keep` rows seen, in a ring, and how many there were. */
struct audit_ring {
	struct store_audit *row;
	size_t keep, total;
};

static int
audit_seen(void *ctx, const struct store_audit *a)
{
	struct audit_ring *r = ctx;

	r->row[r->total % r->keep] = *a;
	r->total++;
	return 0;
}

int
console_audit(struct conn *c, const char *method, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	const char *since_s = server_query_arg(c, "since");
	const char *page_s = server_query_arg(c, "page");
	struct ocop_error err = {0};
	int failed = 0;
	struct audit_ring ring = {0};
	struct office_vars vs;
	struct ocop_buf rows, fields, query;
	struct ocop_store *st;
	int64_t since = OCOP_NO_TIME;
	int32_t day;
	long page = 0;
	char *end = NULL, since_err[1024] = "";
	size_t first, last;
	int status = 200;

	(void)method;
	if (since_s && *since_s) {
		if (ocop_day_parse(since_s, &day, &err) < 0) {
			snprintf(since_err, sizeof(since_err), "%s (%s)",
				 tr(lang, "Ngày không hợp lệ, viết YYYY-MM-DD",
				    "Invalid date, write YYYY-MM-DD"),
				 err.msg);
			status = 400;
		} else {
			/* from 00:00 Vietnam time, as ocop audit */
			since = ocop_day_start(day);
		}
	}
	if (page_s && *page_s) {
		page = strtol(page_s, &end, 10);
		if (*end || page < 0)
			page = 0;
		if (page >= AUDIT_PAGES_MAX)
			page = AUDIT_PAGES_MAX - 1;
	}
	ring.keep = (size_t)(page + 1) * AUDIT_PAGE;
	ring.row = ocop_xcalloc(ring.keep, sizeof(*ring.row));
	if (status == 200 &&
	    (!(st = server_store(c->srv, &err)) ||
	     st->m->audit_each(st, since, audit_seen, &ring, &err) < 0)) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		free(ring.row);
		return 0;
	}
	office_vars_init(&vs);
	ocop_buf_init(&rows, (size_t)8 << 20);
	ocop_buf_init(&fields, 1 << 16);
	ocop_buf_init(&query, 1024);
	/* rows newest first: page p holds positions total-1-p*N down to
	 * total-(p+1)*N */
	last = ring.total > (size_t)page * AUDIT_PAGE
		   ? ring.total - (size_t)page * AUDIT_PAGE
		   : 0;
	first = last > AUDIT_PAGE ? last - AUDIT_PAGE : 0;
	for (size_t k = last; k-- > first;) {
		const struct store_audit *a = &ring.row[k % ring.keep];
		struct office_vars rv;
		char when[20];

		office_vars_init(&rv);
		office_var(&rv, "when", office_when(a->at, when));
		office_var(&rv, "actor", a->actor);
		office_var(&rv, "action", a->action);
		office_var(&rv, "subject", a->subject);
		office_var(&rv, "net", a->net);
		office_var(&rv, "detail", a->detail);
		failed |= office_render(&rows, "audit_row.html", &rv, &err);
		office_vars_release(&rv);
	}
	failed |= office_field(&fields, "since", "since",
			       tr(lang, "Từ ngày", "Since"), "date", 0, since_s,
			       since_err, &err);
	if (since != OCOP_NO_TIME)
		ocop_buf_addf(&query, "since=%s&", since_s);
	if (strcmp(lang, "en") == 0)
		ocop_buf_adds(&query, "lang=en&");
	office_style(&vs);
	office_words(&vs, words, sizeof(words) / sizeof(words[0]), lang);
	office_var(&vs, "fields", fields.data ? fields.data : "");
	office_var(&vs, "rows", rows.data ? rows.data : "");
	office_var(&vs, "empty", first == last ? "1" : "");
	office_var(&vs, "en", strcmp(lang, "en") == 0 ? "1" : "");
	office_var(&vs, "newer", page > 0 ? "1" : "");
	office_var(&vs, "older",
		   first > 0 && page + 1 < AUDIT_PAGES_MAX ? "1" : "");
	office_varf(&vs, "newer_href", "/console/audit?%spage=%ld",
		    query.data ? query.data : "", page - 1);
	office_varf(&vs, "older_href", "/console/audit?%spage=%ld",
		    query.data ? query.data : "", page + 1);
	office_varf(&vs, "range", "%zu–%zu / %zu",
		    last > first ? ring.total - last + 1 : 0,
		    ring.total - first, ring.total);
	if (failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else
		console_page(c, resp, status,
			     tr(lang, "Nhật ký thay đổi", "Audit log"),
			     "audit.html", vs.v, vs.n);
	ocop_buf_release(&rows);
	ocop_buf_release(&fields);
	ocop_buf_release(&query);
	office_vars_release(&vs);
	free(ring.row);
	return 0;
}
