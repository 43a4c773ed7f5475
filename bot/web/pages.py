"""The privacy and terms pages that the Teams app manifest links to (developer.privacyUrl and
termsOfUseUrl), served by `kudos serve` at /privacy and /terms."""

from __future__ import annotations

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kudos: {title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}}
</style>
</head>
<body>
<h1>Kudos: {title}</h1>
{body}
</body>
</html>
"""

_PRIVACY = """
<p>Kudos is self-hosted. This server is run by the organisation that added Kudos to your
Slack workspace or Microsoft Teams tenant, on a server and database it controls. The people
who make Kudos receive nothing from it.</p>
<h2>What Kudos stores</h2>
<ul>
<li>Who you are in chat: your Slack or Teams user id and your display name.</li>
<li>Kudos: who gave them to whom, the points, the reason and the values (hashtags), and the
channel and message they were given in.</li>
<li>Points: your giving allowance, the points you received, and the rewards you redeemed,
with each approval or rejection and its reason.</li>
<li>Learnings you share with <code>til</code>, and the badges you earn.</li>
<li>What an administrator changes (settings, the reward catalog, the admin list,
adjustments), in an audit log.</li>
<li>What the bot needs to post where it was added: conversation and channel ids, and for
Slack the installation's bot token.</li>
</ul>
<p>Kudos reads messages in the channels it was added to only to find kudos in them, and keeps
only those. It sends data nowhere but back to Slack or Microsoft Teams, to answer you, and it
uses no trackers and no advertising.</p>
<p>Points move through a ledger whose entries are never changed or deleted: taking back a
kudos adds an entry that reverses it. To see, export or remove your data, ask the
administrators of this server.</p>
"""

_TERMS = """
<p>Kudos is self-hosted. This server is run by the organisation that added Kudos to your
Slack workspace or Microsoft Teams tenant, and that organisation sets the terms of its use:
the allowance, the values, the rewards and who approves them.</p>
<ul>
<li>Points are a way to say thank you. They have no cash value, and they can be spent only on
the rewards your organisation offers.</li>
<li>Administrators can approve or reject redemptions, and correct points; every such action
is recorded.</li>
<li>Use Kudos as you would any of your organisation's tools, under its rules.</li>
</ul>
<p>The Kudos software is provided under the MIT licence, as is, without warranty of any
kind. Questions about this server go to its administrators.</p>
"""


def privacy_page() -> str:
    """What this self-hosted Kudos stores about people, and who holds it."""
    return _PAGE.format(title="privacy", body=_PRIVACY)


def terms_page() -> str:
    """The terms of use: the operator's, with the software's licence."""
    return _PAGE.format(title="terms of use", body=_TERMS)
