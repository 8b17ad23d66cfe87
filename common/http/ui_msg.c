/*
 * ui_msg.c: the message catalogues of the pages, English and French
 * built in, and the parser of messages.LANG files (see oidc/ui.h).
 */
#include <stdlib.h>
#include <string.h>

#include "oidc/ui.h"
#include "ui_int.h"

/*
 * One row a key: its English and French texts.  Texts are plain text
 * (templates escape them); docs/THEMES.md lists the keys.
 */
static const struct {
	const char	*key, *en, *fr;
} catalogue[] = {
	{ "login_title", "Sign in", "Connexion" },
	{ "login_heading", "Sign in", "Connexion" },
	{ "login_to", "to continue to", "pour continuer vers" },
	{ "login_username", "Username", "Nom d\u2019utilisateur" },
	{ "login_password", "Password", "Mot de passe" },
	{ "login_submit", "Sign in", "Se connecter" },
	{ "login_failed", "The username or password is incorrect.",
	    "Le nom d\u2019utilisateur ou le mot de passe est incorrect." },
	{ "login_throttled", "Too many failed attempts. Please wait a few "
	    "minutes and try again.", "Trop de tentatives \u00e9chou\u00e9es. "
	    "Veuillez patienter quelques minutes puis r\u00e9essayer." },
	{ "consent_title", "Allow access", "Autoriser l\u2019acc\u00e8s" },
	{ "consent_heading", "Allow access?",
	    "Autoriser l\u2019acc\u00e8s\u00a0?" },
	{ "consent_asks", "asks to:", "demande \u00e0\u00a0:" },
	{ "consent_signed_in_as", "Signed in as", "Connect\u00e9 en tant que" },
	{ "consent_allow", "Allow", "Autoriser" },
	{ "consent_deny", "Deny", "Refuser" },
	{ "consent_share", "share your", "partager\u00a0:" },
	{ "scope_openid", "confirm your identity",
	    "confirmer votre identit\u00e9" },
	{ "scope_profile", "see your name and basic profile",
	    "voir votre nom et votre profil de base" },
	{ "scope_email", "see your email address",
	    "voir votre adresse e-mail" },
	{ "scope_address", "see your postal address",
	    "voir votre adresse postale" },
	{ "scope_phone", "see your phone number",
	    "voir votre num\u00e9ro de t\u00e9l\u00e9phone" },
	{ "scope_offline_access", "keep access while you are signed out",
	    "garder l\u2019acc\u00e8s quand vous \u00eates d\u00e9connect\u00e9" },
	{ "client_privacy", "Privacy policy",
	    "Politique de confidentialit\u00e9" },
	{ "client_terms", "Terms of service", "Conditions d\u2019utilisation" },
	{ "logout_title", "Sign out", "D\u00e9connexion" },
	{ "logout_heading", "Sign out?", "Se d\u00e9connecter\u00a0?" },
	{ "logout_question", "Do you want to sign out of",
	    "Voulez-vous vous d\u00e9connecter de" },
	{ "logout_submit", "Sign out", "Se d\u00e9connecter" },
	{ "logged_out_title", "Signed out", "D\u00e9connect\u00e9" },
	{ "logged_out_text", "You are signed out of",
	    "Vous \u00eates d\u00e9connect\u00e9 de" },
	{ "logged_out_close", "You can close this window.",
	    "Vous pouvez fermer cette fen\u00eatre." },
	{ "error_title", "Error", "Erreur" },
	{ "error_heading", "The request could not be processed",
	    "La requ\u00eate n\u2019a pas pu \u00eatre trait\u00e9e" },
	{ "error_heading_unavailable", "Service unavailable",
	    "Service indisponible" },
	{ "error_code", "Error code:", "Code d\u2019erreur\u00a0:" },
	{ "form_expired", "The form has expired or did not come from this "
	    "site. Please try again.", "Le formulaire a expir\u00e9 ou ne "
	    "vient pas de ce site. Veuillez r\u00e9essayer." },
	{ "device_code_title", "Connect a device", "Connecter un appareil" },
	{ "device_code_text", "Enter the code shown on your device.",
	    "Saisissez le code affich\u00e9 sur votre appareil." },
	{ "device_code_label", "Code", "Code" },
	{ "device_code_submit", "Continue", "Continuer" },
	{ "device_code_bad", "That code is not valid, has expired or was "
	    "already used. Check the code on your device.", "Ce code n\u2019est "
	    "pas valide, a expir\u00e9 ou a d\u00e9j\u00e0 servi. V\u00e9rifiez "
	    "le code sur votre appareil." },
	{ "device_code_used", "That code is not valid, has expired or was "
	    "already used.", "Ce code n\u2019est pas valide, a expir\u00e9 ou "
	    "a d\u00e9j\u00e0 servi." },
	{ "device_code_throttled", "Too many wrong codes. Please wait a few "
	    "minutes and try again.", "Trop de codes erron\u00e9s. Veuillez "
	    "patienter quelques minutes puis r\u00e9essayer." },
	{ "device_login_to", "to connect a device to",
	    "pour connecter un appareil \u00e0" },
	{ "device_confirm_code", "A device showing the code",
	    "Un appareil affichant le code" },
	{ "device_confirm_wants", "wants to use", "veut utiliser" },
	{ "device_confirm_warning", "with your account. Allow it only if you "
	    "started this on that device.", "avec votre compte. Ne "
	    "l\u2019autorisez que si vous avez lanc\u00e9 cette connexion sur "
	    "cet appareil." },
	{ "device_confirm_asks", "It asks for:", "Il demande\u00a0:" },
	{ "device_scope_none", "nothing beyond your sign-in",
	    "rien d\u2019autre que votre connexion" },
	{ "device_allowed_title", "Device connected", "Appareil connect\u00e9" },
	{ "device_allowed_text", "You can return to your device now.",
	    "Vous pouvez revenir \u00e0 votre appareil." },
	{ "device_denied_title", "Access denied", "Acc\u00e8s refus\u00e9" },
	{ "device_denied_text", "The device was not connected. You can close "
	    "this page.", "L\u2019appareil n\u2019a pas \u00e9t\u00e9 "
	    "connect\u00e9. Vous pouvez fermer cette page." },
	{ "device_totp_first", "This account must set up two-step "
	    "verification, which this page cannot do: sign in on this "
	    "site\u2019s sign-in page first (through any application), then "
	    "come back.",
	    "Ce compte doit configurer la validation en deux \u00e9tapes, ce "
	    "que cette page ne permet pas\u00a0: connectez-vous d\u2019abord "
	    "sur la page de connexion de ce site (depuis n\u2019importe quelle "
	    "application), puis revenez." },
	{ "login_expired", "Your sign-in has expired. Please sign in again.",
	    "Votre connexion a expir\u00e9. Veuillez vous reconnecter." },
	{ "totp_title", "Two-step verification",
	    "Validation en deux \u00e9tapes" },
	{ "totp_code_label", "Authentication code", "Code de validation" },
	{ "totp_code_help", "The 6-digit code from your authenticator app, or "
	    "one of your recovery codes.", "Le code \u00e0 6 chiffres de votre "
	    "application d\u2019authentification, ou l\u2019un de vos codes de "
	    "secours." },
	{ "totp_submit", "Verify", "Valider" },
	{ "totp_failed", "The code is incorrect or was already used.",
	    "Le code est incorrect ou a d\u00e9j\u00e0 servi." },
	{ "totp_enrol_title", "Set up two-step verification",
	    "Activer la validation en deux \u00e9tapes" },
	{ "totp_enrol_text", "This site asks for a code from an authenticator "
	    "app at every sign-in. Add this account to your app, then enter "
	    "the code it shows.", "Ce site demande un code d\u2019une "
	    "application d\u2019authentification \u00e0 chaque connexion. "
	    "Ajoutez ce compte \u00e0 votre application, puis saisissez le code "
	    "qu\u2019elle affiche." },
	{ "totp_enrol_uri", "Key URI (for a QR code or a link):",
	    "URI de la cl\u00e9 (pour un code QR ou un lien)\u00a0:" },
	{ "totp_enrol_secret", "Or type the key:",
	    "Ou saisissez la cl\u00e9\u00a0:" },
	{ "totp_enrol_code_label", "Code from your app",
	    "Code de votre application" },
	{ "totp_enrol_submit", "Turn on", "Activer" },
	{ "totp_recovery_title", "Save your recovery codes",
	    "Conservez vos codes de secours" },
	{ "totp_recovery_text", "Two-step verification is on. If you lose "
	    "your authenticator app, each of these codes signs you in once "
	    "instead of a code. They are shown only now.", "La validation en "
	    "deux \u00e9tapes est activ\u00e9e. Si vous perdez votre "
	    "application d\u2019authentification, chacun de ces codes vous "
	    "connecte une fois \u00e0 la place d\u2019un code. Ils ne sont "
	    "affich\u00e9s que maintenant." },
	{ "totp_recovery_list", "Recovery codes", "Codes de secours" },
	{ "leaving_title", "Leaving this site", "Vous quittez ce site" },
	{ "leaving_heading", "You are leaving this site",
	    "Vous quittez ce site" },
	{ "leaving_to", "The application that sent you here is taking you "
	    "to", "L\u2019application qui vous a envoy\u00e9 ici vous emm\u00e8ne "
	    "vers" },
	{ "leaving_trust", "The operator of this site has not reviewed that "
	    "application: continue only if you trust", "L\u2019exploitant de "
	    "ce site n\u2019a pas examin\u00e9 cette application\u00a0: ne "
	    "continuez que si vous faites confiance \u00e0" },
	{ "leaving_continue", "Continue to", "Continuer vers" },
	{ "form_post_title", "Continue", "Continuer" },
	{ "form_post_noscript", "JavaScript is off: press the button to "
	    "continue.", "JavaScript est d\u00e9sactiv\u00e9\u00a0: appuyez sur "
	    "le bouton pour continuer." },
	{ "form_post_submit", "Continue", "Continuer" },
};

_Static_assert(OIDC_NELEM(catalogue) == UI_NKEYS, "UI_NKEYS");

size_t
oidc_ui_nkeys(void)
{
	return OIDC_NELEM(catalogue);
}

const char *
oidc_ui_key(size_t i)
{
	return i < OIDC_NELEM(catalogue) ? catalogue[i].key : NULL;
}

int
ui_key_index(const char *key, size_t len)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(catalogue); i++)
		if (strlen(catalogue[i].key) == len &&
		    memcmp(catalogue[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

/* The built-in texts for tag ("en", "fr"; else NULL): 1 found, 0 not. */
int
ui_builtin(const char *tag, const char **texts)
{
	size_t	 i;
	bool	 fr = strcmp(tag, "fr") == 0;

	if (!fr && strcmp(tag, "en") != 0)
		return 0;
	for (i = 0; i < OIDC_NELEM(catalogue); i++)
		texts[i] = fr ? catalogue[i].fr : catalogue[i].en;
	return 1;
}

const char *
ui_english(size_t i)
{
	return catalogue[i].en;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One "key = text" line (trimmed, not a comment): into texts. */
static int
parse_line(const char *name, size_t lineno, const char *p, size_t n,
    const char **texts, bool *seen, struct oidc_error *err)
{
	const char	*eq, *v;
	size_t		 klen, vlen, i;
	char		*copy;
	int		 k;

	if ((eq = memchr(p, '=', n)) == NULL)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: expected "
		    "\"key = text\"", name, lineno);
	for (klen = (size_t)(eq - p); klen > 0 && is_blank(p[klen - 1]);
	    klen--)
		;
	for (v = eq + 1; v < p + n && is_blank(*v); v++)
		;
	vlen = (size_t)(p + n - v);
	if ((k = ui_key_index(p, klen)) == -1)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: unknown "
		    "message key \"%.*s\"", name, lineno,
		    (int)(klen > 40 ? 40 : klen), p);
	if (seen[k])
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: \"%s\" "
		    "given twice", name, lineno, catalogue[k].key);
	if (vlen == 0 || vlen > OIDC_UI_MAX_MESSAGE)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: the text "
		    "of \"%s\" is empty or longer than %d bytes", name,
		    lineno, catalogue[k].key, OIDC_UI_MAX_MESSAGE);
	for (i = 0; i < vlen; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: "
			    "control character in a text", name, lineno);
	if ((copy = malloc(vlen + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
	memcpy(copy, v, vlen);
	copy[vlen] = '\0';
	texts[k] = copy;
	seen[k] = true;
	return 0;
}

int
oidc_ui_messages_parse(const char *name, const char *buf, size_t len,
    const char **texts, struct oidc_error *err)
{
	bool		 seen[UI_NKEYS] = { false };
	const char	*got[UI_NKEYS];
	const char	*p = buf, *end = buf + len, *nl;
	size_t		 lineno = 0, n, i;

	if (len > OIDC_UI_MAX_MESSAGES)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s: longer than "
		    "%d bytes", name, OIDC_UI_MAX_MESSAGES);
	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		while (n > 0 && is_blank(*p)) {
			p++;
			n--;
		}
		while (n > 0 && is_blank(p[n - 1]))
			n--;
		if (n > 0 && *p != '#' && parse_line(name, lineno, p, n, got,
		    seen, err) == -1) {
			for (i = 0; i < UI_NKEYS; i++)
				if (seen[i])
					free((char *)got[i]);
			return -1;
		}
		p = nl + 1;
	}
	/* All or nothing: texts changes only now. */
	for (i = 0; i < UI_NKEYS; i++)
		if (seen[i])
			texts[i] = got[i];
	return 0;
}
