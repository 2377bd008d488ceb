"""``decide(state, command, context) -> events``: one entry point, one table of deciders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coldcheck.domain import (
    ammunition,
    armoury,
    custody,
    incidents,
    inspection,
    people,
    protocol,
    rounds,
    verification,
)
from coldcheck.domain import commands as cmd
from coldcheck.domain.errors import Conflict
from coldcheck.domain.events import Event
from coldcheck.domain.state import ProductionState

Decider = Callable[[ProductionState, Any, cmd.Context], list[Event]]

DECIDERS: dict[type[cmd.Command], Decider] = {
    cmd.OpenProduction: people.open_production,
    cmd.RegisterPerson: people.register_person,
    cmd.RecordPermit: people.record_permit,
    cmd.CorrectPerson: people.correct_person,
    cmd.RotateKey: people.rotate_key,
    cmd.CreateKey: people.create_key,
    cmd.RevokeKey: people.revoke_key,
    cmd.AddStore: armoury.add_store,
    cmd.SetStoreLock: armoury.set_lock,
    cmd.RegisterFirearm: armoury.register_firearm,
    cmd.CorrectFirearm: armoury.correct_firearm,
    cmd.TakeFirearm: custody.take,
    cmd.ReturnFirearm: custody.put_back,
    cmd.ProposeHandoff: custody.propose,
    cmd.AcceptHandoff: custody.accept,
    cmd.CancelHandoff: custody.cancel,
    cmd.ReceiveAmmunition: ammunition.receive,
    cmd.InspectDummies: ammunition.inspect_dummies,
    cmd.InspectFirearm: inspection.inspect,
    cmd.WitnessCheck: verification.witness,
    cmd.Announce: verification.announce,
    cmd.OpenDay: protocol.open_day,
    cmd.RecordTraining: protocol.record_training,
    cmd.FilePlan: protocol.file_plan,
    cmd.ApprovePlan: protocol.approve_plan,
    cmd.HoldMeeting: protocol.hold_meeting,
    cmd.AttendMeeting: protocol.attend_meeting,
    cmd.CallFirearm: protocol.call_firearm,
    cmd.CutTake: protocol.cut,
    cmd.CallBreak: protocol.call_break,
    cmd.ResumeDay: protocol.resume_day,
    cmd.ChangeSetting: protocol.change_setting,
    cmd.GrantWaiver: protocol.grant_waiver,
    cmd.ApproveRangeSession: protocol.approve_range,
    cmd.ReceiveRangeAmmunition: protocol.receive_range_ammunition,
    cmd.LoadRounds: rounds.load,
    cmd.UnloadFirearm: rounds.unload,
    cmd.RecordDischarge: rounds.discharge,
    cmd.RecordMisfire: rounds.misfire,
    cmd.ClearMisfire: rounds.clear_misfire,
    cmd.Reconcile: rounds.reconcile,
    cmd.OpenIncident: incidents.open_incident,
    cmd.CloseIncident: incidents.close_incident,
    cmd.RaiseConcern: incidents.raise_concern,
    cmd.AnswerConcern: incidents.answer_concern,
    cmd.StopWork: incidents.stop_work,
    cmd.ResumeWork: incidents.resume_work,
    cmd.ReportCustody: incidents.report_custody,
    cmd.ReportMissing: incidents.report_missing,
}


def decide(state: ProductionState, command: cmd.Command, ctx: cmd.Context) -> list[Event]:
    """The events a command produces, or a Refusal saying why not."""
    if not state.opened and not isinstance(command, cmd.OpenProduction):
        raise Conflict("This production does not exist yet.", "Run 'coldcheck init' first.")
    return DECIDERS[type(command)](state, command, ctx)
