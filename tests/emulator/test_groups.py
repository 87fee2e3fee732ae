"""Basic groups: the bot is added by a member, reads what privacy mode lets through, writes."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import filters

from emulator import EmulatorClient, EmulatorError, SimulatedGroup, SimulatedUser

GROUP_ID = -4_001_234_567


@pytest.fixture
async def members(control: EmulatorClient, budi: SimulatedUser) -> list[SimulatedUser]:
    siti = await control.user(1002, "Siti")
    rudi = await control.user(1003, "Rudi")
    return [budi, siti, rudi]


@pytest.fixture
async def group(control: EmulatorClient, members: list[SimulatedUser]) -> SimulatedGroup:
    """Budi's group with Siti (an administrator) and Rudi; the bot is not in it yet."""
    return await control.group(GROUP_ID, "Tim Renja Bappeda", members, admins=[members[1]])


async def updates_after(bot: Bot, seen: int = 0) -> list[Update]:
    return [u for u in await bot.get_updates() if u.update_id > seen]


async def test_a_member_adds_the_bot(
    bot: Bot, group: SimulatedGroup, members: list[SimulatedUser]
) -> None:
    [start] = await bot.get_updates()
    with pytest.raises(Forbidden, match=r"^Forbidden: bot is not a member of the group chat$"):
        await bot.send_message(GROUP_ID, "Halo")

    await group.add_bot(by=members[0])
    added, joined = await updates_after(bot, start.update_id)
    change = added.my_chat_member
    assert change is not None
    assert (change.chat.id, change.chat.type, change.chat.title) == (
        GROUP_ID,
        "group",
        "Tim Renja Bappeda",
    )
    assert change.from_user.id == members[0].id
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert change.new_chat_member.user.id == bot.id
    assert joined.message is not None and joined.message.new_chat_members[0].id == bot.id
    assert filters.StatusUpdate.NEW_CHAT_MEMBERS.check_update(joined)

    sent = await bot.send_message(GROUP_ID, "Selamat pagi, tim")
    assert sent.chat.type == "group"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Hadir", callback_data="hadir")]])
    await bot.edit_message_text(
        "Selamat pagi, tim!", GROUP_ID, sent.message_id, reply_markup=markup
    )
    [shown] = await group.messages()
    assert (shown.text, shown.edited, shown.from_bot) == ("Selamat pagi, tim!", True, True)
    query_id = await members[2].press(shown, "Hadir", group=group)
    [pressed] = [u for u in await updates_after(bot, joined.update_id) if u.callback_query]
    assert pressed.callback_query is not None and pressed.callback_query.id == query_id
    assert pressed.callback_query.from_user.id == members[2].id


async def test_members_write_and_privacy_mode_filters(
    bot: Bot, control: EmulatorClient, group: SimulatedGroup, members: list[SimulatedUser]
) -> None:
    budi, siti, rudi = members
    await group.add_bot(by=budi)
    seen = (await bot.get_updates())[-1].update_id

    await siti.send_text("/status", group=group)
    await siti.send_text("/status@renja_bot", group=group)
    await siti.send_text("/start@other_bot", group=group)
    await rudi.send_text("makan siang di mana?", group=group)
    await rudi.send_text("tanya @renja_bot dong", group=group)
    bot_message = await bot.send_message(GROUP_ID, "Ketik /status")
    await budi.send_text("baik", group=group, reply_to=bot_message)

    updates = await updates_after(bot, seen)
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["/status", "/status@renja_bot", "tanya @renja_bot dong", "baik"]
    first = updates[0]
    assert first.effective_chat is not None and first.effective_chat.type == "group"
    assert first.effective_user is not None and first.effective_user.id == siti.id
    assert filters.COMMAND.check_update(first) and filters.ChatType.GROUP.check_update(first)
    # Everybody's messages are in the group, whatever the bot sees.
    assert len(await group.all_messages()) == 8  # the service message, 6 texts, the bot's

    await control.config(group_privacy=False)
    assert (await bot.get_me()).can_read_all_group_messages
    await rudi.send_text("rapat jam 2", group=group)
    [update] = await updates_after(bot, updates[-1].update_id)
    assert update.message is not None and update.message.text == "rapat jam 2"


async def test_removed_bot_and_unknown_groups(
    bot: Bot, control: EmulatorClient, group: SimulatedGroup, members: list[SimulatedUser]
) -> None:
    await group.add_bot(by=members[1])
    await group.remove_bot(by=members[1])
    statuses = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in await bot.get_updates()
        if u.my_chat_member
    ]
    assert statuses == [("left", "member"), ("member", "kicked")]
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the group chat$"):
        await bot.send_message(GROUP_ID, "Halo")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(-999, "Halo")
    outsider = await control.user(2001, "Andi")
    with pytest.raises(EmulatorError, match="not a member"):
        await outsider.send_text("/status", group=group)


async def test_get_chat_and_its_members(
    bot: Bot, group: SimulatedGroup, members: list[SimulatedUser]
) -> None:
    budi, siti, rudi = members
    await group.add_bot(by=budi)
    chat = await bot.get_chat(GROUP_ID)
    assert (chat.id, chat.type, chat.title) == (GROUP_ID, "group", "Tim Renja Bappeda")
    assert isinstance(await bot.get_chat_member(GROUP_ID, budi.id), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP_ID, siti.id), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(GROUP_ID, rudi.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(GROUP_ID, bot.id), ChatMemberMember)
    admins = await bot.get_chat_administrators(GROUP_ID)
    assert [a.user.id for a in admins] == [budi.id, siti.id]
    assert await bot.get_chat_member_count(GROUP_ID) == 4

    newcomer = await group.client.user(1004, "Wati")
    assert isinstance(await bot.get_chat_member(GROUP_ID, newcomer.id), ChatMemberLeft)
    await group.add_member(newcomer, by=siti)
    [*_, joined] = await bot.get_updates()
    assert joined.message is not None and joined.message.new_chat_members[0].id == newcomer.id
    assert isinstance(await bot.get_chat_member(GROUP_ID, newcomer.id), ChatMemberMember)


async def test_a_group_has_its_own_bucket_of_20_a_minute(
    bot: Bot, control: EmulatorClient, group: SimulatedGroup, members: list[SimulatedUser]
) -> None:
    await group.add_bot(by=members[0])
    await control.set_flood_limits()
    for number in range(20):
        await bot.send_message(GROUP_ID, f"laporan {number}")
    with pytest.raises(RetryAfter, match=r"Retry in 0:00:03$"):
        await bot.send_message(GROUP_ID, "laporan 20")
    # A private chat is not held up by the group.
    await bot.send_message(members[0].id, "pribadi")
    stats = await control.stats()
    assert (stats.chat(GROUP_ID).accepted, stats.chat(GROUP_ID).too_many_requests) == (20, 1)


async def test_groups_are_made_of_registered_users(
    control: EmulatorClient, members: list[SimulatedUser]
) -> None:
    with pytest.raises(EmulatorError, match="must be negative"):
        await control.group(5, "Bukan grup", members)
    with pytest.raises(EmulatorError, match="not registered"):
        await control.call(
            "POST", "/_emu/groups", json={"id": -5, "title": "T", "members": [424242]}
        )
